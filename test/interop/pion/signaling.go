package main

// The signaling service's protocol (docs/PROTOCOL.md): register, send, long-poll, leave.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

type iceServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

type registration struct {
	Token      string      `json:"token"`
	Peers      []string    `json:"peers"`
	IceServers []iceServer `json:"iceServers"`
}

type message struct {
	Seq  int64           `json:"seq"`
	Type string          `json:"type"`
	From string          `json:"from"`
	Data json.RawMessage `json:"data"`
}

type outgoing struct {
	to, kind string
	data     interface{}
}

type signaling struct {
	base   string
	room   string
	id     string
	token  string
	http   *http.Client
	queue  chan outgoing
	idle   chan struct{}
	mu     sync.Mutex
	closed bool
}

func (s *signaling) url(parts ...string) string {
	u := s.base + "/v1/rooms/" + url.PathEscape(s.room) + "/peers"
	for _, p := range parts {
		u += "/" + url.PathEscape(p)
	}
	return u
}

func (s *signaling) call(ctx context.Context, method, u string, body interface{}, out interface{}) error {
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, reader)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("content-type", "application/json")
	}
	if s.token != "" {
		req.Header.Set("authorization", "Bearer "+s.token)
	}
	res, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, u, res.StatusCode, string(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func register(ctx context.Context, base, room, id string) (*signaling, *registration, error) {
	s := &signaling{base: base, room: room, id: id, http: &http.Client{}, queue: make(chan outgoing, 256), idle: make(chan struct{})}
	var reg registration
	if err := s.call(ctx, "POST", s.url(), map[string]string{"name": id}, &reg); err != nil {
		return nil, nil, err
	}
	s.token = reg.Token
	go s.sender()
	return s, &reg, nil
}

// send queues a message; one sender keeps them in order (the end of candidates after the candidates).
func (s *signaling) send(to, kind string, data interface{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.queue <- outgoing{to, kind, data}
	}
}

func (s *signaling) sender() {
	defer close(s.idle)
	for m := range s.queue {
		body := map[string]interface{}{"type": m.kind, "data": m.data}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.call(ctx, "POST", s.url(m.to, "messages"), body, nil); err != nil {
			logf("could not send %s: %v", m.kind, err)
		}
		cancel()
	}
}

// poll delivers the mailbox's messages in order, each once, until ctx ends.
func (s *signaling) poll(ctx context.Context) <-chan message {
	out := make(chan message, 64)
	go func() {
		defer close(out)
		var after int64
		for ctx.Err() == nil {
			var page struct {
				Messages []message `json:"messages"`
			}
			u := fmt.Sprintf("%s?after=%d&timeoutMs=5000", s.url(s.id, "messages"), after)
			if err := s.call(ctx, "GET", u, nil, &page); err != nil {
				if ctx.Err() == nil {
					logf("poll: %v", err)
					time.Sleep(200 * time.Millisecond)
				}
				continue
			}
			for _, m := range page.Messages {
				if m.Seq <= after {
					continue
				}
				after = m.Seq
				select {
				case out <- m:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// leave sends what is queued, then leaves the room.
func (s *signaling) leave() {
	s.mu.Lock()
	s.closed = true
	close(s.queue)
	s.mu.Unlock()
	select {
	case <-s.idle:
	case <-time.After(3 * time.Second):
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.call(ctx, "DELETE", s.url(s.id), nil, nil); err != nil {
		logf("leave: %v", err)
	}
}
