// plenary-recorder joins a LiveKit room as a hidden, subscribe-only participant and writes every
// track the stage publishes to its own file (VP8 -> IVF, Opus -> Ogg) with the wall-clock time of
// its first packet in manifest.json, so Plenary can mux them into one WebM afterwards. It is
// Plenary's recorder where LiveKit's egress service is not available (see docs/operations.md).
//
// The LiveKit URL and the token come from the environment (PLENARY_RECORDER_URL,
// PLENARY_RECORDER_TOKEN) so the token never shows in a process listing. Lines on stdout are JSON
// events Plenary reads: {"event":"joined"}, {"event":"track",...}, {"event":"done",...}.
// SIGTERM or SIGINT ends the recording; being removed from the room ends it too (exit code 3).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/ivfwriter"
	"github.com/pion/webrtc/v4/pkg/media/oggwriter"

	"github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/livekit/server-sdk-go/v2/pkg/samplebuilder"
)

type trackEntry struct {
	File        string `json:"file"`
	Kind        string `json:"kind"`
	Codec       string `json:"codec"`
	Participant string `json:"participant"`
	TrackSid    string `json:"trackSid"`
	// Wall-clock time (Unix ms) of the first packet written: how the tracks line up.
	FirstPacketMs int64 `json:"firstPacketMs"`
	Packets       int64 `json:"packets"`
	// Packets received, before reordering and depacketising (diagnostics: received but not written).
	Received int64 `json:"received"`
}

type manifest struct {
	Room      string        `json:"room"`
	StartedMs int64         `json:"startedMs"`
	EndedMs   int64         `json:"endedMs"`
	Reason    string        `json:"reason"`
	Tracks    []*trackEntry `json:"tracks"`
}

var (
	outDir  string
	mu      sync.Mutex
	tracks  []*trackEntry
	writers sync.WaitGroup
	stdout  = json.NewEncoder(os.Stdout)
)

func emit(v map[string]any) {
	mu.Lock()
	defer mu.Unlock()
	_ = stdout.Encode(v)
}

func fail(code int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintln(os.Stderr, "plenary-recorder: "+msg)
	emit(map[string]any{"event": "error", "message": msg})
	os.Exit(code)
}

func main() {
	flag.StringVar(&outDir, "out", "", "folder for the track files and manifest.json (created)")
	flag.Parse()
	url, token := os.Getenv("PLENARY_RECORDER_URL"), os.Getenv("PLENARY_RECORDER_TOKEN")
	if outDir == "" || url == "" || token == "" {
		fail(2, "usage: PLENARY_RECORDER_URL=ws://… PLENARY_RECORDER_TOKEN=… plenary-recorder -out DIR")
	}
	if err := os.MkdirAll(outDir, 0o750); err != nil {
		fail(2, "cannot create %s: %v", outDir, err)
	}
	logger.InitFromConfig(&logger.Config{Level: "warn"}, "plenary-recorder")
	lksdk.SetLogger(logger.GetLogger())

	disconnected := make(chan string, 1)
	started := time.Now()
	room, err := lksdk.ConnectToRoomWithToken(url, token, &lksdk.RoomCallback{
		ParticipantCallback: lksdk.ParticipantCallback{OnTrackSubscribed: onTrackSubscribed},
		OnDisconnectedWithReason: func(reason lksdk.DisconnectionReason) {
			select {
			case disconnected <- string(reason):
			default:
			}
		},
	}, lksdk.WithAutoSubscribe(true))
	if err != nil {
		fail(2, "could not join the LiveKit room: %v", err)
	}
	emit(map[string]any{"event": "joined", "room": room.Name(), "identity": room.LocalParticipant.Identity(), "sid": room.LocalParticipant.SID()})

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	reason, code := "stopped", 0
	select {
	case <-signals:
		room.Disconnect()
	case r := <-disconnected:
		reason, code = "disconnected: "+r, 3
	}
	// Remote tracks end when the room is gone; each writer then closes its file.
	done := make(chan struct{})
	go func() { writers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		reason += " (some track files were not closed in time)"
	}
	mu.Lock()
	m := manifest{Room: room.Name(), StartedMs: started.UnixMilli(), EndedMs: time.Now().UnixMilli(), Reason: reason, Tracks: tracks}
	mu.Unlock()
	data, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(outDir, "manifest.json"), data, 0o640); err != nil {
		fail(2, "cannot write the manifest: %v", err)
	}
	emit(map[string]any{"event": "done", "reason": reason, "tracks": len(m.Tracks)})
	os.Exit(code)
}

const maxAudioLate = 200

func onTrackSubscribed(track *webrtc.TrackRemote, pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) {
	mime := strings.ToLower(track.Codec().MimeType)
	var (
		sb     *samplebuilder.SampleBuilder
		writer media.Writer
		kind   string
		err    error
	)
	base := filepath.Join(outDir, fmt.Sprintf("%s-%s", sanitize(rp.Identity()), sanitize(pub.SID())))
	var file string
	switch mime {
	case "video/vp8":
		// No sample builder for video: the SDK's gives back no VP8 packets from LiveKit's forwarding
		// here, and the IVF writer assembles VP8 frames itself (on loopback packets come in order).
		kind, file = "video", base+".ivf"
		// Opened at the first key frame, which gives the picture's size for the IVF header.
		writer = &lazyIVF{file: file}
	case "audio/opus":
		kind, file = "audio", base+".ogg"
		sb = samplebuilder.New(maxAudioLate, &codecs.OpusPacket{}, track.Codec().ClockRate)
		writer, err = oggwriter.New(file, 48000, track.Codec().Channels)
	default:
		fmt.Fprintf(os.Stderr, "plenary-recorder: skipping a %s track (only VP8 and Opus are recorded)\n", mime)
		emit(map[string]any{"event": "skipped", "codec": mime, "participant": rp.Identity()})
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "plenary-recorder: cannot write %s: %v\n", file, err)
		return
	}
	entry := &trackEntry{File: filepath.Base(file), Kind: kind, Codec: mime, Participant: rp.Identity(), TrackSid: pub.SID()}
	mu.Lock()
	tracks = append(tracks, entry)
	mu.Unlock()
	emit(map[string]any{"event": "track", "kind": kind, "file": entry.File, "participant": rp.Identity()})
	if kind == "video" {
		// Start the file on a key frame rather than waiting for the next one.
		rp.WritePLI(track.SSRC())
	}
	writers.Add(1)
	go func() {
		writeErrors := 0
		defer writers.Done()
		defer writer.Close()
		for {
			pkt, _, err := track.ReadRTP()
			if err != nil {
				return
			}
			mu.Lock()
			entry.Received++
			mu.Unlock()
			ready := []*rtp.Packet{pkt}
			if sb != nil {
				sb.Push(pkt)
				ready = sb.PopPackets()
			}
			for _, p := range ready {
				if err := writer.WriteRTP(p); err != nil {
					writeErrors++
					if writeErrors == 1 {
						fmt.Fprintf(os.Stderr, "plenary-recorder: cannot write to %s: %v\n", entry.File, err)
					}
					continue
				}
				mu.Lock()
				if entry.Packets == 0 {
					entry.FirstPacketMs = time.Now().UnixMilli()
				}
				entry.Packets++
				mu.Unlock()
			}
		}
	}()
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// lazyIVF opens its IVF file at the first VP8 key frame, with that frame's width and height in the
// header (the writer's default, 640x480, would be carried into the WebM). Packets before it are
// dropped: a VP8 file cannot start without a key frame.
type lazyIVF struct {
	file string
	w    *ivfwriter.IVFWriter
}

func (l *lazyIVF) WriteRTP(p *rtp.Packet) error {
	if l.w == nil {
		width, height, ok := vp8KeyFrameSize(p.Payload)
		if !ok {
			return nil
		}
		// RTP timestamps as the IVF's time (90 kHz), so the video plays at the speed it was sent.
		w, err := ivfwriter.New(l.file, ivfwriter.WithCodec(webrtc.MimeTypeVP8), ivfwriter.WithWidthAndHeight(width, height),
			ivfwriter.WithFrameRate(1, 90000), ivfwriter.WithDirectPTS())
		if err != nil {
			return err
		}
		l.w = w
	}
	return l.w.WriteRTP(p)
}

func (l *lazyIVF) Close() error {
	if l.w == nil {
		return nil
	}
	return l.w.Close()
}

// vp8KeyFrameSize reads the picture size from the first packet of a VP8 key frame (RFC 6386 9.1).
func vp8KeyFrameSize(payload []byte) (uint16, uint16, bool) {
	var d codecs.VP8Packet
	frame, err := d.Unmarshal(payload)
	if err != nil || d.S != 1 || d.PID != 0 || len(frame) < 10 || frame[0]&1 != 0 {
		return 0, 0, false
	}
	if frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a {
		return 0, 0, false
	}
	width := (uint16(frame[6]) | uint16(frame[7])<<8) & 0x3fff
	height := (uint16(frame[8]) | uint16(frame[9])<<8) & 0x3fff
	return width, height, width > 0 && height > 0
}
