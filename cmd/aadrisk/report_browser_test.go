package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "rewrite testdata/report-sample.png, the README's screenshot of the sample report")

// envRequireBrowser makes the browser test fail, not skip, when no
// Chromium is found (.ci/run sets it).
const envRequireBrowser = "AADRISK_REQUIRE_BROWSER"

func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(envRequireBrowser) != "" {
		t.Fatalf("no chromium on PATH, and %s is set", envRequireBrowser)
	}
	t.Skipf("no chromium on PATH (install Debian's chromium, or set %s to make this a failure)", envRequireBrowser)
	return ""
}

// render opens page in headless Chromium, with every host name mapped to
// an error so that nothing can leave the machine, and returns the
// screenshot and the URLs the page asked the network for.
//
// The requests are read from Chromium's NetLog (--log-net-log), which
// records every URL request of the network service, whatever asked for it:
// a request of the page carries the page's network isolation key
// ("file://"), which tells it from the browser's own background requests
// (clock sync, account checks) that some builds make even with
// --disable-background-networking. A page whose request is blocked (by the
// host mapping or by its Content-Security-Policy) may still show in the
// log, and counts: the check is that the page asks for nothing.
func render(t *testing.T, chromium, page string, width, height int) (shot []byte, requests []string) {
	t.Helper()
	dir := t.TempDir()
	png, netlog := filepath.Join(dir, "shot.png"), filepath.Join(dir, "netlog.json")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	abs, err := filepath.Abs(page)
	require.NoError(t, err)
	cmd := exec.CommandContext(ctx, chromium,
		"--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--no-first-run", "--no-default-browser-check", "--mute-audio",
		"--user-data-dir="+filepath.Join(dir, "profile"),
		"--host-resolver-rules=MAP * ~NOTFOUND",
		"--log-net-log="+netlog,
		"--hide-scrollbars",
		"--screenshot="+png,
		fmt.Sprintf("--window-size=%d,%d", width, height),
		"file://"+filepath.ToSlash(abs))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run(), "chromium: %s", stderr.String())
	shot, err = os.ReadFile(png)
	require.NoError(t, err, "no screenshot: %s", stderr.String())
	return shot, pageRequests(t, netlog)
}

// pageRequests returns the URLs that the page (network isolation key
// file://) asked for, other than file: and data: URLs.
func pageRequests(t *testing.T, netlog string) []string {
	t.Helper()
	b, err := os.ReadFile(netlog)
	require.NoError(t, err)
	var log struct {
		Events []struct {
			Params map[string]any `json:"params"`
		} `json:"events"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		// A NetLog cut short at exit lacks its closing brackets.
		fixed := append(bytes.TrimRight(bytes.TrimSpace(b), ","), "]}"...)
		require.NoError(t, json.Unmarshal(fixed, &log), "reading the NetLog")
	}
	require.NotEmpty(t, log.Events, "an empty NetLog")
	seen := map[string]bool{}
	var urls []string
	for _, e := range log.Events {
		u, _ := e.Params["url"].(string)
		nik, _ := e.Params["network_isolation_key"].(string)
		if u == "" || !strings.Contains(nik, "file://") || strings.HasPrefix(u, "file:") || strings.HasPrefix(u, "data:") {
			continue
		}
		if !seen[u] {
			seen[u] = true
			urls = append(urls, u)
		}
	}
	return urls
}

// notBlank checks that a screenshot shows something: many colours and a
// good share of pixels that are not the white background.
func notBlank(t *testing.T, shot []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	require.NoError(t, err)
	b := img.Bounds()
	colours := map[uint32]bool{}
	nonWhite := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[(r>>8)<<16|(g>>8)<<8|bl>>8] = true
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				nonWhite++
			}
		}
	}
	share := float64(nonWhite) / float64(b.Dx()*b.Dy())
	t.Logf("screenshot %dx%d: %d colours, %.1f%% not white", b.Dx(), b.Dy(), len(colours), 100*share)
	assert.Greater(t, len(colours), 50, "a blank or nearly blank screenshot")
	assert.Greater(t, share, 0.03, "a blank or nearly blank screenshot")
	return img
}

// TestReportInBrowser renders the sample's report in headless Chromium:
// the screenshot is not blank, and the page asks the network for nothing.
// A control page with an external image and style sheet checks that the
// NetLog does show a page's requests, so that the check cannot pass by
// seeing nothing.
func TestReportInBrowser(t *testing.T) {
	chromium := findChromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	code, _, errOut := runCmd(t, "validate", "--report", page)
	require.Equal(t, exitOK, code, errOut)

	shot, requests := render(t, chromium, page, 1280, 2000)
	assert.Empty(t, requests, "the report made network requests")
	notBlank(t, shot)

	control := filepath.Join(dir, "control.html")
	require.NoError(t, os.WriteFile(control, []byte(`<!DOCTYPE html><html><body><p>control</p>`+
		`<img src="http://img.example.invalid/x.png"><link rel="stylesheet" href="https://css.example.invalid/a.css"></body></html>`), 0o666))
	_, requests = render(t, chromium, control, 400, 300)
	assert.Contains(t, requests, "http://img.example.invalid/x.png", "the NetLog check does not see a page's requests")
	assert.Contains(t, requests, "https://css.example.invalid/a.css", "the NetLog check does not see a page's requests")

	if *updateScreenshot {
		// The README's screenshot: the risk ladders of the sample, cut
		// from a tall screenshot of the whole page (their place on the
		// sample's page at this width).
		shot, _ := render(t, chromium, page, 1280, 3400)
		img := notBlank(t, shot).(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(image.Rect(0, 2040, 1280, 3240))
		var buf bytes.Buffer
		require.NoError(t, png.Encode(&buf, img))
		notBlank(t, buf.Bytes())
		require.NoError(t, os.WriteFile(filepath.Join("..", "..", "testdata", "report-sample.png"), buf.Bytes(), 0o666))
	}
}
