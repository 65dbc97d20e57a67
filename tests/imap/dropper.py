"""A TCP proxy in front of the tests' Dovecot that cuts the first message
fetch short: on the first connection whose server side answers a FETCH, it
forwards `drop_after` more bytes and then closes both sides, as a server
or a network that fails mid-fetch would.  Later connections pass through.

    python3 dropper.py LISTEN_PORT TARGET_PORT DROP_AFTER LOG
"""
import asyncio
import sys

listen_port, target_port, drop_after = (int(a) for a in sys.argv[1:4])
log_path = sys.argv[4]
dropped = False


def log(line):
    with open(log_path, "a") as f:
        f.write(line + "\n")


async def pipe(reader, writer, cut):
    global dropped
    sent = None
    try:
        while True:
            data = await reader.read(4096)
            if not data:
                break
            if cut and not dropped and sent is None and b"FETCH" in data:
                sent = 0
            if sent is not None:
                room = drop_after - sent
                writer.write(data[:room])
                await writer.drain()
                sent += min(room, len(data))
                if sent >= drop_after:
                    dropped = True
                    log("dropped after %d bytes of a fetch" % sent)
                    raise ConnectionResetError
                continue
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def handle(client_reader, client_writer):
    server_reader, server_writer = await asyncio.open_connection(
        "127.0.0.1", target_port)
    up = asyncio.ensure_future(pipe(client_reader, server_writer, False))
    down = asyncio.ensure_future(pipe(server_reader, client_writer, True))
    done, pending = await asyncio.wait(
        [up, down], return_when=asyncio.FIRST_EXCEPTION)
    for t in pending:
        t.cancel()
    server_writer.close()
    client_writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    log("listening")
    async with server:
        await server.serve_forever()


asyncio.run(main())
