"""Read messages and calendars back for the tests, as JSON on stdout.

  mailcheck.py mail DIR   every .eml in DIR: envelope, headers, text, html,
                          and each text/calendar part parsed with icalendar
  mailcheck.py ics FILE   a calendar parsed with python3-icalendar (a real
                          calendar client's parser)
"""
import email
import email.policy
import glob
import json
import sys

import icalendar


def calendar(text):
    cal = icalendar.Calendar.from_ical(text)
    events = []
    for ev in cal.walk("VEVENT"):
        start = ev.get("DTSTART")
        events.append({
            "uid": str(ev.get("UID")),
            "dtstart": start.dt.isoformat() if start else None,
            "all_day": start is not None and start.params.get("VALUE") == "DATE",
            "sequence": int(ev.get("SEQUENCE", 0)),
            "summary": str(ev.get("SUMMARY")),
            "description": str(ev.get("DESCRIPTION")),
            "status": str(ev.get("STATUS", "")),
            "alarms": len(list(ev.walk("VALARM"))),
        })
    return {"method": str(cal.get("METHOD", "")), "events": events}


def mail(folder):
    out = []
    for path in sorted(glob.glob(folder + "/*.eml")):
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        item = {
            "file": path,
            "to": msg.get_all("X-Envelope-To") or [msg["To"]],
            "subject": str(msg["Subject"]),
            "message_id": str(msg["Message-ID"]),
            "text": "", "html": "", "calendars": [],
        }
        for part in msg.walk():
            kind = part.get_content_type()
            if kind == "text/plain":
                item["text"] = part.get_content()
            elif kind == "text/html":
                item["html"] = part.get_content()
            elif kind == "text/calendar":
                c = calendar(part.get_content())
                c["part_method"] = part.get_param("method")
                item["calendars"].append(c)
        out.append(item)
    return out


if __name__ == "__main__":
    if sys.argv[1] == "mail":
        print(json.dumps(mail(sys.argv[2])))
    else:
        with open(sys.argv[2], "rb") as f:
            print(json.dumps(calendar(f.read())))
