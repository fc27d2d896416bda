// A pion v3 peer for the interop tests (docs/INTEROP.md): it meets bin/client,
// or another of itself, through the signaling service (docs/PROTOCOL.md), as
// offerer or answerer, and runs CLI.md's `chat` exchange and an Opus tone
// both ways. Logs go to stderr; one JSON report line goes to stdout.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/pion/webrtc/v3"
)

type options struct {
	role, signalingAddr, room, id, peer string
	messages, intervalMs, durationS     int
	timeoutS                            int
	toneHz                              float64
}

type report struct {
	Stack       string `json:"stack"`
	Role        string `json:"role"`
	OK          bool   `json:"ok"`
	Connected   bool   `json:"connected"`
	DataChannel struct {
		Open     bool `json:"open"`
		Sent     int  `json:"sent"`
		Received int  `json:"received"`
		PeerDone bool `json:"peerDone"`
	} `json:"dataChannel"`
	Audio struct {
		Sent struct {
			Packets int     `json:"packets"`
			ToneHz  float64 `json:"toneHz"`
		} `json:"sent"`
		Received struct {
			Packets    int      `json:"packets"`
			Decoded    int      `json:"decoded"`
			DominantHz *float64 `json:"dominantHz"`
		} `json:"received"`
	} `json:"audio"`
	TimingsMs struct {
		Connected       *int64 `json:"connected"`
		DataChannelOpen *int64 `json:"dataChannelOpen"`
		Done            *int64 `json:"done"`
	} `json:"timingsMs"`
	Error *string `json:"error"`
}

var start = time.Now()

func sinceStart() *int64 {
	ms := time.Since(start).Milliseconds()
	return &ms
}

// sinceStartExact is a ping's `t`: milliseconds on our own clock, to 0.1 ms.
func sinceStartExact() float64 {
	return math.Round(float64(time.Since(start).Microseconds())/100) / 10
}

func logf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "%6d ms  pion: %s\n", time.Since(start).Milliseconds(), fmt.Sprintf(format, args...))
}

func main() {
	var o options
	flag.StringVar(&o.role, "role", "", "offerer or answerer")
	flag.StringVar(&o.signalingAddr, "signaling-addr", "http://127.0.0.1:8080", "the signaling service")
	flag.StringVar(&o.room, "room", "default", "room")
	flag.StringVar(&o.id, "id", "", "own name (default: the role)")
	flag.StringVar(&o.peer, "peer", "", "the other side's name (default: the other role)")
	flag.IntVar(&o.messages, "messages", 5, "pings to send")
	flag.IntVar(&o.intervalMs, "interval-ms", 500, "between pings")
	flag.IntVar(&o.durationS, "duration-s", 3, "how long the tone plays")
	flag.IntVar(&o.timeoutS, "timeout-s", 30, "give up if not connected by then")
	flag.Float64Var(&o.toneHz, "tone-hz", 0, "tone frequency (offerer 440, answerer 660)")
	flag.Parse()
	if o.role != "offerer" && o.role != "answerer" {
		fmt.Fprintln(os.Stderr, "--role offerer|answerer is required")
		os.Exit(2)
	}
	other := map[string]string{"offerer": "answerer", "answerer": "offerer"}[o.role]
	if o.id == "" {
		o.id = o.role
	}
	if o.peer == "" {
		o.peer = other
	}
	if o.toneHz == 0 {
		o.toneHz = map[string]float64{"offerer": 440, "answerer": 660}[o.role]
	}
	rep := &report{Stack: "pion", Role: o.role}
	rep.Audio.Sent.ToneHz = o.toneHz
	err := run(o, rep)
	if err != nil {
		msg := err.Error()
		rep.Error = &msg
		logf("FAILED: %s", msg)
	}
	rep.OK = err == nil
	_ = json.NewEncoder(os.Stdout).Encode(rep)
	if err != nil {
		os.Exit(1)
	}
}

// onLoopback: the service is on this host, so the peer is too; gather 127.0.0.1 as bin/client does.
func onLoopback(addr string) bool {
	u, err := url.Parse(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())
}

func newPeerConnection(o options, reg *registration) (*webrtc.PeerConnection, error) {
	settings := webrtc.SettingEngine{}
	settings.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	settings.SetIncludeLoopbackCandidate(onLoopback(o.signalingAddr))
	media := &webrtc.MediaEngine{}
	if err := media.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	api := webrtc.NewAPI(webrtc.WithSettingEngine(settings), webrtc.WithMediaEngine(media))
	config := webrtc.Configuration{}
	for _, s := range reg.IceServers {
		config.ICEServers = append(config.ICEServers, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	return api.NewPeerConnection(config)
}

func run(o options, rep *report) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sig, reg, err := register(ctx, o.signalingAddr, o.room, o.id)
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	defer sig.leave()
	logf("registered as %s in room %s; here: %v", o.id, o.room, reg.Peers)
	inbox := sig.poll(ctx)

	pc, err := newPeerConnection(o, reg)
	if err != nil {
		return err
	}
	defer pc.Close()
	track, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "pion")
	if err != nil {
		return err
	}
	sender, err := pc.AddTrack(track)
	if err != nil {
		return err
	}
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := sender.Read(buf); err != nil {
				return
			}
		}
	}()
	x := newExchange(o, track, rep)
	pc.OnTrack(func(remote *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { go x.receiveAudio(remote) })
	failed := make(chan string, 1)
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		logf("connection state %s", s)
		switch s {
		case webrtc.PeerConnectionStateConnected:
			rep.Connected = true
			rep.TimingsMs.Connected = sinceStart()
			x.startAudio()
		case webrtc.PeerConnectionStateFailed:
			failed <- "ICE or DTLS failed"
		}
	})
	// Exactly what pion hands out: ToJSON() says sdpMid "" and sdpMLineIndex 0 for every candidate.
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil {
			sig.send(o.peer, "candidate", nil)
			return
		}
		logf("local candidate %s", c.String())
		sig.send(o.peer, "candidate", c.ToJSON())
	})

	var pending []webrtc.ICECandidateInit
	remoteSet := false
	setRemote := func(d webrtc.SessionDescription) error {
		if err := pc.SetRemoteDescription(d); err != nil {
			return fmt.Errorf("setRemoteDescription: %w", err)
		}
		remoteSet = true
		for _, c := range pending {
			if err := pc.AddICECandidate(c); err != nil {
				logf("addIceCandidate: %v", err)
			}
		}
		pending = nil
		return nil
	}
	call := func() error {
		logf("%s is here: calling", o.peer)
		dc, err := pc.CreateDataChannel("chat", nil)
		if err != nil {
			return err
		}
		x.attach(dc)
		offer, err := pc.CreateOffer(nil)
		if err != nil {
			return err
		}
		if err := pc.SetLocalDescription(offer); err != nil {
			return err
		}
		sig.send(o.peer, "offer", offer)
		return nil
	}
	if o.role == "offerer" {
		for _, p := range reg.Peers {
			if p == o.peer {
				if err := call(); err != nil {
					return err
				}
			}
		}
	} else {
		pc.OnDataChannel(func(dc *webrtc.DataChannel) {
			if dc.Label() == "chat" {
				x.attach(dc)
			}
		})
	}

	connectBy := time.NewTimer(time.Duration(o.timeoutS) * time.Second)
	silence := time.NewTicker(time.Second)
	defer silence.Stop()
	lastLife := time.Now()
	var byeGrace <-chan time.Time
	for {
		select {
		case <-x.complete:
			logf("exchange complete")
			return finish(sig, o, inbox, byeGrace != nil)
		case reason := <-failed:
			return fmt.Errorf("%s", reason)
		case <-connectBy.C:
			if !rep.Connected {
				return fmt.Errorf("not connected after %d s", o.timeoutS)
			}
		case <-x.life:
			lastLife = time.Now()
		case <-silence.C:
			if rep.Connected && time.Since(lastLife) > 5*time.Second {
				return fmt.Errorf("nothing from %s for 5 s", o.peer)
			}
		case <-byeGrace:
			return fmt.Errorf("%s left before the exchange completed", o.peer)
		case m, ok := <-inbox:
			if !ok {
				return fmt.Errorf("the mailbox closed")
			}
			if m.From != o.peer {
				continue
			}
			switch m.Type {
			case "peer-joined":
				if o.role == "offerer" && pc.LocalDescription() == nil {
					if err := call(); err != nil {
						return err
					}
				}
			case "offer", "answer":
				var d webrtc.SessionDescription
				if err := json.Unmarshal(m.Data, &d); err != nil {
					return fmt.Errorf("bad %s: %w", m.Type, err)
				}
				logf("%s received", m.Type)
				if err := setRemote(d); err != nil {
					return err
				}
				if m.Type == "offer" {
					answer, err := pc.CreateAnswer(nil)
					if err != nil {
						return err
					}
					if err := pc.SetLocalDescription(answer); err != nil {
						return err
					}
					sig.send(o.peer, "answer", answer)
				}
			case "candidate":
				if string(m.Data) == "null" {
					continue
				}
				var c webrtc.ICECandidateInit
				if err := json.Unmarshal(m.Data, &c); err != nil {
					logf("ignored a malformed candidate: %s", string(m.Data))
					continue
				}
				if !remoteSet {
					pending = append(pending, c)
				} else if err := pc.AddICECandidate(c); err != nil {
					logf("addIceCandidate: %v", err)
				}
			case "bye", "peer-left":
				logf("%s: %s", m.Type, string(m.Data))
				if !rep.Connected {
					return fmt.Errorf("%s said %s before connecting: %s", o.peer, m.Type, string(m.Data))
				}
				// Its last chat messages may still be on their way.
				byeGrace = time.After(time.Second)
			}
		}
	}
}

// finish says bye, then waits (briefly) for the peer's: closing at once could
// cut our own last chat message, `done`, on its way.
func finish(sig *signaling, o options, inbox <-chan message, peerGone bool) error {
	sig.send(o.peer, "bye", map[string]string{"reason": "done"})
	if peerGone {
		return nil
	}
	deadline := time.After(3 * time.Second)
	for {
		select {
		case <-deadline:
			return nil
		case m, ok := <-inbox:
			if !ok || (m.From == o.peer && (m.Type == "bye" || m.Type == "peer-left")) {
				return nil
			}
		}
	}
}
