package editdist

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"abc", "abc", 0},
		{"abc", "abd", 1}, {"abc", "acb", 1}, {"abc", "ab", 1}, {"abc", "xabc", 1},
		{"optiontype", "optntype", 2}, {"barriertype", "barrierkind", 4}, {"ca", "abc", 3},
	} {
		assert.Equal(t, tt.d, Distance(tt.a, tt.b), "%q %q", tt.a, tt.b)
		assert.Equal(t, tt.d, Distance(tt.b, tt.a), "%q %q", tt.b, tt.a)
	}
}
