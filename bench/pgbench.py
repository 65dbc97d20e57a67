#!/usr/bin/python3
"""pgbench for bench/run.sh, reported as wrk's rows are.

    pgbench.py [--capture LOG OFFSET SCRIPT [--id VALUE LO HI]] -- ARGS...

Runs `pgbench ARGS -l` and prints one line, "BENCH tps p50_ms p99_ms
errors", the percentiles from pgbench's per-transaction log.

With --capture, the transaction is the statements the Linkdesk server ran
for one request: LOG is PostgreSQL's log, read from byte OFFSET, written
with log_statement = 'all' while that one request ran.  Each
"execute NAME: SQL" entry and its "parameters: $1 = '...'" become one
statement of SCRIPT, its parameters pgbench variables given with -D, so
that with -M prepared pgbench sends the same text with the same
parameters, as the server does.  With --id, a parameter equal to VALUE
(the request's random id) is drawn again from LO to HI by every
transaction, as bench/report.lua draws it.  pgbench cannot send a NULL
parameter: one is written as NULL in the text.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (\w+):  ",
                   re.M)
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def entries(text):
    """(pid, level, message) for each log entry, continuation lines kept."""
    marks = list(ENTRY.finditer(text))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        yield m.group(1), m.group(2), text[m.end():end].rstrip("\n")


def capture(log, offset, script, ident):
    with open(log, encoding="utf-8", errors="replace") as f:
        f.seek(offset)
        text = f.read()
    statements = []  # [sql, {n: value or None}]
    for pid, level, msg in entries(text):
        if level == "LOG":
            m = re.match(r"execute [^:]+: (.*)", msg, re.S)
            if m:
                statements.append([m.group(1), {}])
        elif level == "DETAIL" and statements and msg.startswith("parameters: "):
            for n, v in PARAM.findall(msg):
                statements[-1][1][int(n)] = (None if v == "NULL"
                                             else v[1:-1].replace("''", "'"))
    if not statements:
        sys.exit("pgbench.py: no statements captured from %s" % log)
    names, defs, lines = {}, [], []
    returned = None  # the variable the last "RETURNING id" set
    if ident:
        lines.append("\\set id random(%s, %s)" % (ident[1], ident[2]))
    for i, (sql, params) in enumerate(statements):
        def sub(m):
            nonlocal returned
            n = int(m.group(1))
            if n not in params:
                return m.group(0)
            v = params[n]
            if v is None:
                return "NULL"
            if v == "":
                return "''"  # pgbench refuses an empty -D value
            if ident and v == ident[0]:
                return ":id"
            if v not in names:
                # The first new number after an INSERT ... RETURNING id is
                # the id it returned: each transaction uses its own.
                if returned and v.isdigit():
                    names[v], returned = returned, None
                    return ":" + names[v]
                names[v] = "v%d" % (len(names) + 1)
                defs.append("-D%s=%s" % (names[v], v))
            return ":" + names[v]
        body = re.sub(r"\$(\d+)", sub, sql).rstrip().rstrip(";")
        if re.search(r"RETURNING id$", body):
            returned = "r%d_id" % i
            lines.append(body + " \\gset r%d_" % i)
        else:
            lines.append(body + ";")
    with open(script, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("captured %d statements into %s" % (len(statements), script),
          file=sys.stderr)
    return ["-f", script] + defs


def main(argv):
    extra = []
    if "--" not in argv:
        sys.exit(__doc__)
    cut = argv.index("--")
    opts, args = argv[:cut], argv[cut + 1:]
    if opts and opts[0] == "--capture":
        ident = opts[5:8] if len(opts) >= 8 and opts[4] == "--id" else None
        extra = capture(opts[1], int(opts[2]), opts[3], ident)
    with tempfile.TemporaryDirectory() as d:
        prefix = os.path.join(d, "pgb")
        run = subprocess.run(["pgbench"] + args + extra +
                             ["-l", "--log-prefix=" + prefix],
                             capture_output=True, text=True)
        out = run.stdout + run.stderr
        tps = re.search(r"^tps = ([0-9.]+)", out, re.M)
        failed = re.search(r"number of failed transactions: (\d+)", out)
        aborted = len(re.findall(r"aborted", out))
        lat = []
        for name in glob.glob(prefix + "*"):
            with open(name) as f:
                for line in f:
                    fields = line.split()
                    if len(fields) >= 3 and fields[2].isdigit():
                        lat.append(int(fields[2]))
    if not tps or not lat:
        sys.stderr.write(out)
        print("BENCH 0 0 0 1")
        return
    lat.sort()
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] / 1000
    errors = (int(failed.group(1)) if failed else 0) + aborted
    print("BENCH %.0f %.2f %.2f %d" % (float(tps.group(1)), pick(0.5),
                                        pick(0.99), errors))


if __name__ == "__main__":
    main(sys.argv[1:])
