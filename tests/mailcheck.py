"""Read messages and calendars back for the tests, as JSON on stdout.

  mailcheck.py mail DIR   every .eml in DIR: envelope, headers, text, html,
                          and each text/calendar part parsed with icalendar;
                          each message parsed with email.policy.strict, and
                          its "problems": lines not ending in CRLF, lines
                          over 998 characters, encoded header lines over 76,
                          text parts whose decoded lines do not end in CRLF
  mailcheck.py ics FILE   a calendar parsed with python3-icalendar (a real
                          calendar client's parser)
  mailcheck.py khal FILE  the calendar imported into khal (a real calendar
                          program) with a throwaway configuration: what it
                          then lists
"""
import email
import email.policy
import glob
import json
import os
import subprocess
import sys
import tempfile

import icalendar


def params(prop):
    if prop is None:
        return None
    return {"value": str(prop), "params": {k: str(v) for k, v in prop.params.items()}}


def calendar(text):
    cal = icalendar.Calendar.from_ical(text)
    events = []
    for ev in cal.walk("VEVENT"):
        start = ev.get("DTSTART")
        triggers = []
        for alarm in ev.walk("VALARM"):
            trig = alarm.get("TRIGGER")
            triggers.append(trig.dt.total_seconds() if trig is not None else None)
        attendees = ev.get("ATTENDEE")
        if attendees is not None and not isinstance(attendees, list):
            attendees = [attendees]
        events.append({
            "uid": str(ev.get("UID")),
            "dtstart": start.dt.isoformat() if start else None,
            "all_day": start is not None and start.params.get("VALUE") == "DATE",
            "sequence": int(ev.get("SEQUENCE", 0)),
            "summary": str(ev.get("SUMMARY")),
            "description": str(ev.get("DESCRIPTION")),
            "status": str(ev.get("STATUS", "")),
            "alarms": len(list(ev.walk("VALARM"))),
            "triggers": triggers,
            "organizer": params(ev.get("ORGANIZER")),
            "attendees": [params(a) for a in attendees or []],
        })
    return {"method": str(cal.get("METHOD", "")), "events": events}


def problems(raw, msg):
    found = []
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    else:
        found.append("the message does not end in CRLF")
    in_head = True
    for n, line in enumerate(lines, 1):
        if not line.endswith(b"\r"):
            found.append("line %d ends in a bare LF" % n)
        body = line[:-1] if line.endswith(b"\r") else line
        if b"\r" in body:
            found.append("line %d holds a bare CR" % n)
        if len(body) > 998:
            found.append("line %d is %d characters (998 at most)" % (n, len(body)))
        if in_head and body == b"":
            in_head = False
        # Encoded words (RFC 2047): at most 76 characters a line.
        if b"=?" in body and len(body) > 76:
            found.append("encoded header line %d is %d characters (76 at most)"
                         % (n, len(body)))
    for part in msg.walk():
        if part.get_content_maintype() != "text":
            continue
        data = part.get_payload(decode=True) or b""
        if data.replace(b"\r\n", b"").find(b"\n") >= 0 or \
                data.replace(b"\r\n", b"").find(b"\r") >= 0:
            found.append("%s part: decoded lines not all CRLF" % part.get_content_type())
    return found


def mail(folder):
    out = []
    for path in sorted(glob.glob(folder + "/*.eml")):
        with open(path, "rb") as f:
            raw = f.read()
        # The sink writes the envelope first; the message is what follows.
        head, message = b"", raw
        while message.startswith(b"X-Envelope-To: "):
            end = message.index(b"\r\n") + 2
            head, message = head + message[:end], message[end:]
        try:
            msg = email.message_from_bytes(message, policy=email.policy.strict)
            strict = ""
        except Exception as e:  # a defect the strict policy refuses
            msg = email.message_from_bytes(message, policy=email.policy.default)
            strict = str(e)
        envelope = [line[len("X-Envelope-To: "):].decode()
                    for line in head.split(b"\r\n") if line]
        item = {
            "file": path,
            "to": envelope or [str(msg["To"])],
            "from": str(msg["From"]),
            "reply_to": str(msg["Reply-To"]) if msg["Reply-To"] else None,
            "subject": str(msg["Subject"]),
            "message_id": str(msg["Message-ID"]),
            "content_type": msg.get_content_type(),
            "strict": strict,
            "problems": problems(message, msg),
            "text": "", "html": "", "calendars": [],
        }
        for part in msg.walk():
            kind = part.get_content_type()
            if kind == "text/plain":
                item["text"] = part.get_content()
            elif kind == "text/html":
                item["html"] = part.get_content()
                item["html_charset"] = part.get_content_charset()
            elif kind == "text/calendar":
                c = calendar(part.get_content())
                c["part_method"] = part.get_param("method")
                c["text"] = part.get_content()
                item["calendars"].append(c)
        out.append(item)
    return out


def khal(path):
    """Import a calendar with khal import --batch; list what it holds."""
    with tempfile.TemporaryDirectory() as tmp:
        caldir = os.path.join(tmp, "cal")
        os.makedirs(caldir)
        config = os.path.join(tmp, "config")
        with open(config, "w") as f:
            f.write("[calendars]\n[[linkdesk]]\npath = %s\n"
                    "[locale]\ntimeformat = %%H:%%M\ndateformat = %%Y-%%m-%%d\n"
                    "longdateformat = %%Y-%%m-%%d\ndatetimeformat = %%Y-%%m-%%d %%H:%%M\n"
                    "longdatetimeformat = %%Y-%%m-%%d %%H:%%M\n"
                    "[default]\ndefault_calendar = linkdesk\n" % caldir)
        env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=tmp, XDG_DATA_HOME=tmp)
        imp = subprocess.run(["khal", "-c", config, "import", "--batch",
                              "-a", "linkdesk", path],
                             capture_output=True, text=True, env=env)
        listed = subprocess.run(["khal", "-c", config, "list", "--format",
                                 "{start-date}|{title}|{alarm-symbol}",
                                 "--day-format", "", "2000-01-01", "36500d"],
                                capture_output=True, text=True, env=env)
        stored = sorted(os.listdir(caldir))
        return {"import_rc": imp.returncode, "import_err": imp.stderr,
                "list_rc": listed.returncode,
                "events": [l for l in listed.stdout.splitlines() if l.strip()],
                "files": stored}


if __name__ == "__main__":
    if sys.argv[1] == "mail":
        print(json.dumps(mail(sys.argv[2])))
    elif sys.argv[1] == "khal":
        print(json.dumps(khal(sys.argv[2])))
    else:
        with open(sys.argv[2], "rb") as f:
            print(json.dumps(calendar(f.read())))
