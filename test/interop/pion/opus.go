package main

// A minimal binding to Debian's libopus (libopus-dev): Debian packages no Go
// Opus binding, and a real encoder and decoder let this peer send a tone and
// measure the one it receives, as bin/client does.

/*
#cgo pkg-config: opus
#include <opus.h>
*/
import "C"

import (
	"fmt"
	"math"
)

const (
	sampleRate  = 48000
	frameMs     = 20
	frameLength = sampleRate * frameMs / 1000
)

type opusEncoder struct{ enc *C.OpusEncoder }

func newOpusEncoder() (*opusEncoder, error) {
	var status C.int
	enc := C.opus_encoder_create(sampleRate, 1, C.OPUS_APPLICATION_AUDIO, &status)
	if status != C.OPUS_OK {
		return nil, fmt.Errorf("opus_encoder_create: %d", int(status))
	}
	return &opusEncoder{enc}, nil
}

// encode turns one 20 ms mono frame into one Opus packet.
func (e *opusEncoder) encode(pcm []int16) ([]byte, error) {
	out := make([]byte, 1500)
	n := C.opus_encode(e.enc, (*C.opus_int16)(&pcm[0]), C.int(len(pcm)), (*C.uchar)(&out[0]), C.opus_int32(len(out)))
	if n < 0 {
		return nil, fmt.Errorf("opus_encode: %d", int(n))
	}
	return out[:n], nil
}

type opusDecoder struct {
	dec *C.OpusDecoder
	pcm []int16
}

func newOpusDecoder() (*opusDecoder, error) {
	var status C.int
	dec := C.opus_decoder_create(sampleRate, 1, &status)
	if status != C.OPUS_OK {
		return nil, fmt.Errorf("opus_decoder_create: %d", int(status))
	}
	// 120 ms, the longest Opus packet.
	return &opusDecoder{dec, make([]int16, sampleRate*120/1000)}, nil
}

// decode returns the mono samples of one packet (a stereo packet is downmixed by libopus).
func (d *opusDecoder) decode(packet []byte) ([]int16, error) {
	if len(packet) == 0 {
		return nil, fmt.Errorf("empty packet")
	}
	n := C.opus_decode(d.dec, (*C.uchar)(&packet[0]), C.opus_int32(len(packet)), (*C.opus_int16)(&d.pcm[0]), C.int(len(d.pcm)), 0)
	if n < 0 {
		return nil, fmt.Errorf("opus_decode: %d", int(n))
	}
	return d.pcm[:n], nil
}

// tone makes consecutive 20 ms frames of a sine wave at -6 dBFS.
type tone struct {
	hz    float64
	phase float64
}

func (t *tone) next() []int16 {
	pcm := make([]int16, frameLength)
	step := 2 * math.Pi * t.hz / sampleRate
	for i := range pcm {
		pcm[i] = int16(16384 * math.Sin(t.phase))
		t.phase += step
	}
	t.phase = math.Mod(t.phase, 2*math.Pi)
	return pcm
}

// pitch estimates the frequency of a received tone from its upward zero
// crossings, with hysteresis so that codec noise near zero is not counted.
type pitch struct {
	crossings int
	samples   int
	low       bool
}

func (p *pitch) add(pcm []int16) {
	for _, s := range pcm {
		if s < -1000 {
			p.low = true
		} else if s > 1000 && p.low {
			p.low = false
			p.crossings++
		}
	}
	p.samples += len(pcm)
}

func (p *pitch) hz() *float64 {
	if p.samples < sampleRate/2 || p.crossings == 0 {
		return nil
	}
	hz := math.Round(float64(p.crossings) * sampleRate / float64(p.samples))
	return &hz
}
