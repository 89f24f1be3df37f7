package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestProgressBar(t *testing.T) {
	assert.Equal(t, "["+strings.Repeat(" ", 30)+"]   0%", bar(0))
	assert.Equal(t, "["+strings.Repeat("=", 15)+strings.Repeat(" ", 15)+"]  50%", bar(0.5))
	assert.Equal(t, "["+strings.Repeat("=", 30)+"] 100%", bar(1))
	assert.Equal(t, "["+strings.Repeat(" ", 30)+"]     ", bar(-1))
}

func TestProgressLogsWhenNotATerminal(t *testing.T) {
	var out bytes.Buffer
	c := &countingReader{r: strings.NewReader(strings.Repeat("x", 100))}
	buf := make([]byte, 25)
	c.Read(buf)
	p := newProgress(&out, slog.New(slog.NewTextHandler(&out, nil)), c, 100)
	p.last = p.last.Add(-progressEvery) // as if the interval had passed
	p.update(128)
	assert.Contains(t, out.String(), "msg=progress trades=128")
	assert.Contains(t, out.String(), "portfolio_read_percent=25")
	p.update(192) // within the interval: nothing more
	assert.Equal(t, 1, strings.Count(out.String(), "msg=progress"))
}
