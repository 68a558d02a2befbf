// plenary-test-publisher publishes a VP8 IVF file and an Opus Ogg file to a LiveKit room as a real
// WebRTC participant: the stage the recorder's tests record (server/streaming/recording.test.ts).
// The files are made by ffmpeg from its test sources. Runs until SIGTERM or the files end.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

func main() {
	video := flag.String("video", "", "VP8 IVF file")
	audio := flag.String("audio", "", "Opus Ogg file")
	fps := flag.Int("fps", 15, "frame rate of the IVF file")
	flag.Parse()
	url, token := os.Getenv("PLENARY_RECORDER_URL"), os.Getenv("PLENARY_RECORDER_TOKEN")
	if url == "" || token == "" || (*video == "" && *audio == "") {
		fmt.Fprintln(os.Stderr, "usage: PLENARY_RECORDER_URL=… PLENARY_RECORDER_TOKEN=… plenary-test-publisher -video x.ivf -audio y.ogg")
		os.Exit(2)
	}
	logger.InitFromConfig(&logger.Config{Level: "warn"}, "plenary-test-publisher")
	lksdk.SetLogger(logger.GetLogger())
	finished := make(chan struct{}, 2)
	room, err := lksdk.ConnectToRoomWithToken(url, token, &lksdk.RoomCallback{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "plenary-test-publisher: could not join: %v\n", err)
		os.Exit(2)
	}
	publish := func(file, name string, opts ...lksdk.ReaderSampleProviderOption) {
		opts = append(opts, lksdk.ReaderTrackWithOnWriteComplete(func() { finished <- struct{}{} }))
		track, err := lksdk.NewLocalFileTrack(file, opts...)
		if err != nil {
			fmt.Fprintf(os.Stderr, "plenary-test-publisher: %s: %v\n", file, err)
			os.Exit(2)
		}
		if _, err := room.LocalParticipant.PublishTrack(track, &lksdk.TrackPublicationOptions{Name: name}); err != nil {
			fmt.Fprintf(os.Stderr, "plenary-test-publisher: publish %s: %v\n", file, err)
			os.Exit(2)
		}
	}
	if *video != "" {
		publish(*video, "camera", lksdk.ReaderTrackWithFrameDuration(time.Second/time.Duration(*fps)), lksdk.ReaderTrackWithMime(webrtc.MimeTypeVP8))
	}
	if *audio != "" {
		publish(*audio, "microphone", lksdk.ReaderTrackWithFrameDuration(20*time.Millisecond), lksdk.ReaderTrackWithMime(webrtc.MimeTypeOpus))
	}
	fmt.Println(`{"event":"publishing"}`)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-signals:
	case <-finished:
	}
	room.Disconnect()
}
