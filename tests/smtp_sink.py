"""A real SMTP server for the tests (Debian's python3-aiosmtpd).

Usage: smtp_sink.py PORT DIR [MODE]
Each message received is written to DIR as N.eml, preceded by one
X-Envelope-To header per recipient.  Runs until killed.  MODE makes it a
bad server instead, keeping nothing: "reject" answers every message with
451, "hang" never answers the message, "drop" closes the connection in
the middle of it.  "slow" is a good server that takes a fifth of a
second over each message, "slow:SECONDS" one that takes that long (a mail
server under throttling); connections are served at the same time.
"mute-quit" takes each message but never answers the goodbye (QUIT).
"""
import asyncio
import itertools
import os
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder, mode):
        self.folder = folder
        self.mode = mode
        # After the messages of an earlier sink in the same folder: a
        # restarted sink must not write over (and hide) what it received.
        kept = [int(n[:6]) for n in os.listdir(folder) if n.endswith(".eml")]
        self.numbers = itertools.count(max(kept, default=0) + 1)

    async def handle_QUIT(self, server, session, envelope):
        if self.mode == "mute-quit":
            await asyncio.sleep(3600)
        return "221 Bye"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "reject":
            return "451 4.3.0 Try again later"
        if self.mode == "hang":
            await asyncio.sleep(3600)
        if self.mode == "drop":
            server.transport.close()
            return "421 4.3.0 Closing"
        if self.mode == "slow":
            await asyncio.sleep(0.2)
        if self.mode.startswith("slow:"):
            await asyncio.sleep(float(self.mode[5:]))
        number = next(self.numbers)
        head = "".join("X-Envelope-To: %s\r\n" % r for r in envelope.rcpt_tos)
        path = os.path.join(self.folder, "%06d.eml" % number)
        with open(path + ".tmp", "wb") as f:
            f.write(head.encode() + envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else "ok"
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Sink(folder, mode), hostname="127.0.0.1", port=port)
    controller.start()
    print("listening", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
