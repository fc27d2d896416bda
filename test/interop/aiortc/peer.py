#!/usr/bin/python3
"""An aiortc peer for the interop tests (docs/INTEROP.md).

It meets bin/client through the signaling service (docs/PROTOCOL.md), as
offerer or answerer, and runs CLI.md's `chat` exchange and an Opus tone both
ways. Logs go to stderr; one JSON report line goes to stdout. Run it with
Debian's /usr/bin/python3 and python3-aiortc; it needs nothing else.
"""

import argparse
import array
import asyncio
import fractions
import json
import math
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError
from aiortc.sdp import candidate_from_sdp
from av import AudioFrame

START = time.monotonic()
RATE = 48000
FRAME = 960  # 20 ms


def since_start_ms():
    return round((time.monotonic() - START) * 1000)


def log(text):
    print(f"{since_start_ms():6d} ms  aiortc: {text}", file=sys.stderr, flush=True)


class Signaling:
    """Register, send, long-poll and leave, over urllib in worker threads."""

    def __init__(self, base, room, name):
        self.base, self.room, self.name, self.token = base.rstrip("/"), room, name, None
        self.sends = asyncio.Lock()

    def url(self, *parts):
        path = "/".join(urllib.parse.quote(p, safe="") for p in (self.room, "peers") + parts)
        return f"{self.base}/v1/rooms/{path}"

    def _call(self, method, url, body=None, timeout=10):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        if body is not None:
            request.add_header("content-type", "application/json")
        if self.token:
            request.add_header("authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
        return json.loads(text) if text else None

    async def call(self, method, url, body=None, timeout=10):
        return await asyncio.to_thread(self._call, method, url, body, timeout)

    async def register(self):
        reg = await self.call("POST", self.url(), {"name": self.name})
        self.token = reg["token"]
        return reg

    async def send(self, to, kind, data):
        # One at a time, so that messages arrive in the order they were sent.
        async with self.sends:
            try:
                await self.call("POST", self.url(to, "messages"), {"type": kind, "data": data})
            except (urllib.error.URLError, OSError) as error:
                log(f"could not send {kind}: {error}")

    async def poll(self, inbox):
        after = 0
        while True:
            try:
                page = await self.call("GET", f"{self.url(self.name, 'messages')}?after={after}&timeoutMs=5000", timeout=15)
            except (urllib.error.URLError, OSError) as error:
                log(f"poll: {error}")
                await asyncio.sleep(0.2)
                continue
            for message in page["messages"]:
                if message["seq"] > after:
                    after = message["seq"]
                    await inbox.put(message)

    async def leave(self):
        try:
            await self.call("DELETE", self.url(self.name), timeout=2)
        except (urllib.error.URLError, OSError) as error:
            log(f"leave: {error}")


class ToneTrack(MediaStreamTrack):
    """A sine tone for `duration` seconds, in 20 ms frames paced in real time; then nothing."""

    kind = "audio"

    def __init__(self, hz, duration, on_played):
        super().__init__()
        self.hz, self.frames, self.on_played = hz, int(duration * 1000 / 20), on_played
        self.sent = 0
        self.started = None

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        if self.sent >= self.frames:
            self.on_played()
            await asyncio.Event().wait()  # the sender is cancelled when the call closes
        if self.started is None:
            self.started = time.monotonic()
        await asyncio.sleep(max(0, self.started + self.sent * 0.02 - time.monotonic()))
        step = 2 * math.pi * self.hz / RATE
        base = self.sent * FRAME
        pcm = array.array("h", (int(16384 * math.sin(step * (base + i))) for i in range(FRAME)))
        frame = AudioFrame(format="s16", layout="mono", samples=FRAME)
        frame.planes[0].update(pcm.tobytes())
        frame.pts, frame.sample_rate, frame.time_base = base, RATE, fractions.Fraction(1, RATE)
        self.sent += 1
        return frame


class Pitch:
    """The frequency of a received tone from its upward zero crossings, with hysteresis."""

    def __init__(self):
        self.crossings, self.samples, self.low = 0, 0, False

    def add(self, samples):
        for s in samples:
            if s < -1000:
                self.low = True
            elif s > 1000 and self.low:
                self.low = False
                self.crossings += 1
        self.samples += len(samples)

    def hz(self):
        if self.samples < RATE / 2 or self.crossings == 0:
            return None
        return round(self.crossings * RATE / self.samples)


class Exchange:
    """CLI.md's exchange: pings and pongs, alive, done; complete when both sides are done."""

    def __init__(self, opts, report):
        self.opts, self.report = opts, report
        self.channel, self.pending = None, {}
        self.last_sent = 0.0
        self.audio_played = False
        self.done_sent = False
        self.complete = asyncio.Event()
        self.life = time.monotonic()
        self.pitch = Pitch()
        self.tasks = []

    def attach(self, channel):
        self.channel = channel
        channel.on("message", self.receive)
        if channel.readyState == "open":
            self.opened()
        else:
            channel.on("open", self.opened)

    def opened(self):
        self.report["dataChannel"]["open"] = True
        log(f"data channel {self.channel.label} open")
        self.tasks += [asyncio.ensure_future(self.pings()), asyncio.ensure_future(self.alive())]

    def send(self, message):
        if self.channel is not None and self.channel.readyState == "open":
            self.channel.send(json.dumps(message))
            self.last_sent = time.monotonic()

    async def pings(self):
        for seq in range(1, self.opts.messages + 1):
            t = round((time.monotonic() - START) * 1000, 1)
            self.pending[seq] = t
            self.report["dataChannel"]["sent"] = seq
            self.send({"type": "ping", "seq": seq, "t": t})
            await asyncio.sleep(self.opts.interval_ms / 1000)
        self.maybe_done()

    async def alive(self):
        while not self.complete.is_set():
            await asyncio.sleep(1)
            if time.monotonic() - self.last_sent >= 0.95:
                self.send({"type": "alive"})

    def receive(self, data):
        self.life = time.monotonic()
        try:
            message = json.loads(data)
        except (TypeError, ValueError):
            log(f"chat: ignored {data!r}")
            return
        kind = message.get("type")
        if kind == "ping":
            # t is echoed as it came (a JSON number round-trips exactly through a float).
            self.send({"type": "pong", "seq": message["seq"], "t": message["t"]})
        elif kind == "pong":
            if self.pending.get(message.get("seq")) == message.get("t"):
                del self.pending[message["seq"]]
                self.report["dataChannel"]["received"] += 1
        elif kind == "done":
            log("the peer is done")
            self.report["dataChannel"]["peerDone"] = True
        self.maybe_done()

    def played(self):
        if not self.audio_played:
            self.audio_played = True
            self.maybe_done()

    def maybe_done(self):
        dc = self.report["dataChannel"]
        if not self.done_sent and self.audio_played and dc["open"] and dc["received"] == self.opts.messages:
            self.done_sent = True
            self.send({"type": "done"})
            log("done sent")
        if self.done_sent and dc["peerDone"] and not self.complete.is_set():
            self.report["timingsMs"]["done"] = since_start_ms()
            self.complete.set()

    async def receive_audio(self, track):
        received = self.report["audio"]["received"]
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.life = time.monotonic()
            received["packets"] += 1
            received["decoded"] += 1
            if received["decoded"] > 5:  # the decoder settling
                channels = len(frame.layout.channels)
                samples = array.array("h", bytes(frame.planes[0]))[: frame.samples * channels]
                self.pitch.add(samples[::channels])
            received["dominantHz"] = self.pitch.hz()

    def stop(self):
        for task in self.tasks:
            task.cancel()


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--role", choices=["offerer", "answerer"], required=True)
    parser.add_argument("--signaling-addr", default="http://127.0.0.1:8080")
    parser.add_argument("--room", default="default")
    parser.add_argument("--id")
    parser.add_argument("--peer")
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--interval-ms", type=int, default=500)
    parser.add_argument("--duration-s", type=float, default=3)
    parser.add_argument("--timeout-s", type=float, default=30)
    parser.add_argument("--tone-hz", type=float)
    opts = parser.parse_args()
    other = "answerer" if opts.role == "offerer" else "offerer"
    opts.id = opts.id or opts.role
    opts.peer = opts.peer or other
    opts.tone_hz = opts.tone_hz or (440 if opts.role == "offerer" else 660)
    return opts


def to_candidate(data):
    """An RTCIceCandidateInit from the peer as aiortc's RTCIceCandidate."""
    line = data["candidate"]
    candidate = candidate_from_sdp(line.split(":", 1)[1] if line.startswith("candidate:") else line)
    candidate.sdpMid = data.get("sdpMid")
    candidate.sdpMLineIndex = data.get("sdpMLineIndex")
    return candidate


async def run(opts, report):
    signaling = Signaling(opts.signaling_addr, opts.room, opts.id)
    reg = await signaling.register()
    log(f"registered as {opts.id} in room {opts.room}; here: {reg['peers']}")
    inbox = asyncio.Queue()
    poller = asyncio.ensure_future(signaling.poll(inbox))
    servers = [RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential")) for s in reg["iceServers"]]
    pc = RTCPeerConnection(RTCConfiguration(iceServers=servers))
    exchange = Exchange(opts, report)
    failed = asyncio.Event()
    tone = ToneTrack(opts.tone_hz, opts.duration_s, exchange.played)
    try:
        pc.addTrack(tone)

        @pc.on("track")
        def on_track(track):
            if track.kind == "audio":
                exchange.tasks.append(asyncio.ensure_future(exchange.receive_audio(track)))

        @pc.on("connectionstatechange")
        def on_state():
            log(f"connection state {pc.connectionState}")
            if pc.connectionState == "connected":
                report["connected"] = True
                report["timingsMs"]["connected"] = since_start_ms()
            elif pc.connectionState == "failed":
                failed.set()

        @pc.on("datachannel")
        def on_datachannel(channel):
            if channel.label == "chat":
                exchange.attach(channel)

        async def describe(description):
            # aiortc gathers before it answers setLocalDescription: its candidates are in the SDP.
            await pc.setLocalDescription(description)
            local = pc.localDescription
            await signaling.send(opts.peer, local.type, {"type": local.type, "sdp": local.sdp})
            await signaling.send(opts.peer, "candidate", None)

        async def call():
            log(f"{opts.peer} is here: calling")
            exchange.attach(pc.createDataChannel("chat"))
            await describe(await pc.createOffer())

        if opts.role == "offerer" and opts.peer in reg["peers"]:
            await call()
        connect_by = time.monotonic() + opts.timeout_s
        peer_gone_at = None
        while not exchange.complete.is_set():
            if failed.is_set():
                raise RuntimeError("ICE or DTLS failed")
            now = time.monotonic()
            if not report["connected"] and now > connect_by:
                raise RuntimeError(f"not connected after {opts.timeout_s} s")
            if report["connected"] and now - exchange.life > 5:
                raise RuntimeError(f"nothing from {opts.peer} for 5 s")
            if peer_gone_at is not None and now - peer_gone_at > 1:
                raise RuntimeError(f"{opts.peer} left before the exchange completed")
            try:
                message = await asyncio.wait_for(inbox.get(), 0.25)
            except asyncio.TimeoutError:
                continue
            if message["from"] != opts.peer:
                continue
            kind, data = message["type"], message.get("data")
            if kind == "peer-joined" and opts.role == "offerer" and pc.localDescription is None:
                await call()
            elif kind in ("offer", "answer"):
                log(f"{kind} received")
                await pc.setRemoteDescription(RTCSessionDescription(sdp=data["sdp"], type=data["type"]))
                if kind == "offer":
                    await describe(await pc.createAnswer())
            elif kind == "candidate" and data is not None:
                await pc.addIceCandidate(to_candidate(data))
            elif kind in ("bye", "peer-left"):
                log(f"{kind}: {json.dumps(data)}")
                if not report["connected"]:
                    raise RuntimeError(f"{opts.peer} said {kind} before connecting")
                peer_gone_at = peer_gone_at or time.monotonic()
        log("exchange complete")
        await signaling.send(opts.peer, "bye", {"reason": "done"})
        # Closing at once could cut our own last chat message on its way: wait for the peer's bye.
        if peer_gone_at is None:
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                try:
                    message = await asyncio.wait_for(inbox.get(), deadline - time.monotonic())
                except asyncio.TimeoutError:
                    break
                if message["from"] == opts.peer and message["type"] in ("bye", "peer-left"):
                    break
    finally:
        report["audio"]["sent"]["packets"] = tone.sent
        exchange.stop()
        await pc.close()
        poller.cancel()
        await signaling.leave()


def main():
    opts = parse_args()
    report = {
        "stack": "aiortc",
        "role": opts.role,
        "ok": False,
        "connected": False,
        "dataChannel": {"open": False, "sent": 0, "received": 0, "peerDone": False},
        "audio": {
            "sent": {"packets": 0, "toneHz": opts.tone_hz},
            "received": {"packets": 0, "decoded": 0, "dominantHz": None},
        },
        "timingsMs": {"connected": None, "done": None},
        "error": None,
    }
    try:
        asyncio.run(run(opts, report))
        report["ok"] = True
    except Exception as error:  # the report says what went wrong, whatever it was
        report["error"] = f"{type(error).__name__}: {error}"
        log(f"FAILED: {report['error']}")
    print(json.dumps(report), flush=True)
    sys.exit(0 if report["ok"] else 1)


if __name__ == "__main__":
    main()
