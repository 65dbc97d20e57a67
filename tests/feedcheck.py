"""A calendar feed as a subscribing client reads it: parsed with
python3-icalendar, printed as JSON (the calendar's name, refresh hints and
each event's UID, DTSTAMP and LAST-MODIFIED).

  feedcheck.py FILE
"""
import json
import sys

import icalendar


def main(path):
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    refresh = cal.get("REFRESH-INTERVAL")
    out = {
        "name": str(cal.get("X-WR-CALNAME", "")),
        "refresh_interval": refresh.to_ical().decode() if refresh is not None else "",
        "refresh_value": refresh.params.get("VALUE", "") if refresh is not None else "",
        "published_ttl": str(cal.get("X-PUBLISHED-TTL", "")),
        "events": [],
    }
    for ev in cal.walk("VEVENT"):
        modified = ev.get("LAST-MODIFIED")
        out["events"].append({
            "uid": str(ev.get("UID")),
            "summary": str(ev.get("SUMMARY")),
            "dtstamp": ev.get("DTSTAMP").dt.isoformat(),
            "last_modified": modified.dt.isoformat() if modified is not None else "",
        })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
