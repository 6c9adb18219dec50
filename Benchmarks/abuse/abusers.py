#!/usr/bin/env python3
"""Abusive clients for Benchmarks/abuse.sh: what anything that reaches the webhook port could do to it.

    abusers.py PORT SECONDS [KINDS]     KINDS: comma-separated subset of the names below (default: all)

Runs, at once and for SECONDS, on 127.0.0.1:PORT:
  idle        1,000 TCP connections opened and left silent (re-opened as the server closes them)
  slowloris   100 TLS connections sending their request head one byte per second
  slow-body   50 TLS connections sending a whole head and then the body one byte per second
  never-read  50 TLS connections pipelining requests and never reading an answer
  handshakes  TLS handshakes that fail (plain-text bytes on the TLS port), as fast as two tasks can go

Prints one summary line: `ABUSE idle_opened=… slowloris=… slow_body=… never_read_requests=… failed_handshakes=…`.
Only the standard library; certificates are not checked (the abusers do not care who answers).
"""
import asyncio
import ssl
import sys

HOST = "127.0.0.1"
PORT = int(sys.argv[1])
SECONDS = float(sys.argv[2])
counts = {"idle_opened": 0, "slowloris": 0, "slow_body": 0, "never_read_requests": 0, "failed_handshakes": 0}
BODY = b'{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"abuse"}}'
HEAD = (b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n")


def tls_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def until_deadline(deadline, body):
    """Runs `body` again whenever it ends (the server closed the connection) until the deadline."""
    loop = asyncio.get_running_loop()
    while loop.time() < deadline:
        try:
            await asyncio.wait_for(body(), timeout=max(0.1, deadline - loop.time()))
        except (OSError, asyncio.TimeoutError, ssl.SSLError, ConnectionError, asyncio.IncompleteReadError):
            await asyncio.sleep(0.05)


async def idle(deadline):
    async def once():
        reader, writer = await asyncio.open_connection(HOST, PORT)
        counts["idle_opened"] += 1
        await reader.read()  # until the server closes it
        writer.close()
    await until_deadline(deadline, once)


async def trickle(deadline, prefix, slow, key):
    async def once():
        reader, writer = await asyncio.open_connection(HOST, PORT, ssl=tls_context(), server_hostname="localhost")
        counts[key] += 1
        writer.write(prefix)
        await writer.drain()
        for byte in slow:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(1)
        writer.close()
    await until_deadline(deadline, once)


async def never_read(deadline):
    async def once():
        reader, writer = await asyncio.open_connection(HOST, PORT, ssl=tls_context(), server_hostname="localhost")
        request = HEAD + BODY
        while True:
            writer.write(request * 50)
            counts["never_read_requests"] += 50
            await writer.drain()  # blocks once the server stops reading (its answers are not read)
            await asyncio.sleep(0.01)
    await until_deadline(deadline, once)


async def failed_handshakes(deadline):
    loop = asyncio.get_running_loop()
    while loop.time() < deadline:
        try:
            reader, writer = await asyncio.open_connection(HOST, PORT)
            writer.write(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            await writer.drain()
            await asyncio.wait_for(reader.read(), timeout=2)
            writer.close()
            counts["failed_handshakes"] += 1
        except (OSError, asyncio.TimeoutError, ConnectionError):
            await asyncio.sleep(0.01)


async def main():
    deadline = asyncio.get_running_loop().time() + SECONDS
    kinds = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else {"idle", "slowloris", "slow-body", "never-read",
                                                                   "handshakes"}
    tasks = [idle(deadline) for _ in range(1000 if "idle" in kinds else 0)]
    tasks += [trickle(deadline, b"", HEAD, "slowloris") for _ in range(100 if "slowloris" in kinds else 0)]
    tasks += [trickle(deadline, HEAD, BODY, "slow_body") for _ in range(50 if "slow-body" in kinds else 0)]
    tasks += [never_read(deadline) for _ in range(50 if "never-read" in kinds else 0)]
    tasks += [failed_handshakes(deadline) for _ in range(2 if "handshakes" in kinds else 0)]
    await asyncio.gather(*tasks)
    print("ABUSE " + " ".join(f"{key}={value}" for key, value in counts.items()), flush=True)


asyncio.run(main())
