package main

// CLI.md's exchange over the `chat` data channel: pings answered by pongs,
// `alive` when there is nothing to say, `done` once our pings are answered and
// our tone has played; complete when the peer's `done` has arrived too.

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/pion/webrtc/v3"
	"github.com/pion/webrtc/v3/pkg/media"
)

type chatMessage struct {
	Type string          `json:"type"`
	Seq  int             `json:"seq,omitempty"`
	T    json.RawMessage `json:"t,omitempty"`
}

type exchange struct {
	opts     options
	track    *webrtc.TrackLocalStaticSample
	rep      *report
	mu       sync.Mutex
	dc       *webrtc.DataChannel
	pending  map[int]string
	lastSent time.Time
	audioOut bool
	doneSent bool
	complete chan struct{}
	once     sync.Once
	started  sync.Once
	life     chan struct{}
	pitch    pitch
}

func newExchange(opts options, track *webrtc.TrackLocalStaticSample, rep *report) *exchange {
	return &exchange{opts: opts, track: track, rep: rep, pending: map[int]string{}, complete: make(chan struct{}), life: make(chan struct{}, 1)}
}

func (x *exchange) attach(dc *webrtc.DataChannel) {
	// Set now: the peer's first ping can arrive before OnOpen runs.
	x.mu.Lock()
	x.dc = dc
	x.mu.Unlock()
	dc.OnOpen(func() {
		x.mu.Lock()
		x.rep.DataChannel.Open = true
		x.rep.TimingsMs.DataChannelOpen = sinceStart()
		x.mu.Unlock()
		logf("data channel %s open", dc.Label())
		go x.alive()
		go x.pings()
	})
	dc.OnMessage(func(m webrtc.DataChannelMessage) { x.receive(m.Data) })
}

// signOfLife notes that the peer is there (the main loop's silence check).
func (x *exchange) signOfLife() {
	select {
	case x.life <- struct{}{}:
	default:
	}
}

func (x *exchange) sendLocked(m interface{}) {
	b, _ := json.Marshal(m)
	if err := x.dc.SendText(string(b)); err != nil {
		logf("chat send: %v", err)
	}
	x.lastSent = time.Now()
}

func (x *exchange) alive() {
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-x.complete:
			return
		case <-ticker.C:
			x.mu.Lock()
			if time.Since(x.lastSent) >= 950*time.Millisecond {
				x.sendLocked(chatMessage{Type: "alive"})
			}
			x.mu.Unlock()
		}
	}
}

func (x *exchange) pings() {
	for seq := 1; seq <= x.opts.messages; seq++ {
		x.mu.Lock()
		t := string(mustJSON(sinceStartExact()))
		x.pending[seq] = t
		x.rep.DataChannel.Sent = seq
		x.sendLocked(chatMessage{Type: "ping", Seq: seq, T: json.RawMessage(t)})
		x.mu.Unlock()
		time.Sleep(time.Duration(x.opts.intervalMs) * time.Millisecond)
	}
	x.maybeDone()
}

func (x *exchange) receive(data []byte) {
	x.signOfLife()
	var m chatMessage
	if err := json.Unmarshal(data, &m); err != nil {
		logf("chat: ignored %q", string(data))
		return
	}
	x.mu.Lock()
	switch m.Type {
	case "ping":
		// t is echoed byte for byte: the pinger compares it with what it sent.
		x.sendLocked(chatMessage{Type: "pong", Seq: m.Seq, T: m.T})
	case "pong":
		if t, ok := x.pending[m.Seq]; ok && t == string(m.T) {
			delete(x.pending, m.Seq)
			x.rep.DataChannel.Received++
		}
	case "done":
		logf("the peer is done")
		x.rep.DataChannel.PeerDone = true
	}
	x.mu.Unlock()
	x.maybeDone()
}

// startAudio sends the tone for --duration-s, one Opus packet per 20 ms.
func (x *exchange) startAudio() {
	x.started.Do(func() { go x.sendTone() })
}

func (x *exchange) sendTone() {
	enc, err := newOpusEncoder()
	if err != nil {
		logf("audio: %v", err)
		return
	}
	src := &tone{hz: x.opts.toneHz}
	frames := x.opts.durationS * 1000 / frameMs
	ticker := time.NewTicker(frameMs * time.Millisecond)
	defer ticker.Stop()
	logf("audio out: a %.0f Hz tone for %d s", x.opts.toneHz, x.opts.durationS)
	for i := 0; i < frames; i++ {
		<-ticker.C
		packet, err := enc.encode(src.next())
		if err != nil {
			logf("audio: %v", err)
			return
		}
		if err := x.track.WriteSample(media.Sample{Data: packet, Duration: frameMs * time.Millisecond}); err != nil {
			logf("audio: %v", err)
			return
		}
		x.mu.Lock()
		x.rep.Audio.Sent.Packets++
		x.mu.Unlock()
	}
	x.mu.Lock()
	x.audioOut = true
	x.mu.Unlock()
	x.maybeDone()
}

// receiveAudio counts and decodes the peer's Opus packets.
func (x *exchange) receiveAudio(remote *webrtc.TrackRemote) {
	logf("audio in: %s", remote.Codec().MimeType)
	dec, err := newOpusDecoder()
	if err != nil {
		logf("audio: %v", err)
		return
	}
	for {
		pkt, _, err := remote.ReadRTP()
		if err != nil {
			return
		}
		x.signOfLife()
		x.mu.Lock()
		x.rep.Audio.Received.Packets++
		if pcm, err := dec.decode(pkt.Payload); err == nil {
			x.rep.Audio.Received.Decoded++
			// The first frames are the decoder settling: not counted in the pitch.
			if x.rep.Audio.Received.Decoded > 5 {
				x.pitch.add(pcm)
			}
		}
		x.rep.Audio.Received.DominantHz = x.pitch.hz()
		x.mu.Unlock()
	}
}

func (x *exchange) maybeDone() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.rep.DataChannel.Open {
		return
	}
	if !x.doneSent && x.audioOut && x.rep.DataChannel.Received == x.opts.messages {
		x.doneSent = true
		x.sendLocked(chatMessage{Type: "done"})
		logf("done sent")
	}
	if x.doneSent && x.rep.DataChannel.PeerDone {
		x.once.Do(func() {
			x.rep.TimingsMs.Done = sinceStart()
			close(x.complete)
		})
	}
}

func mustJSON(v interface{}) []byte {
	b, _ := json.Marshal(v)
	return b
}
