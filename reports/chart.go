package reports

import (
	"fmt"
	"math"
	"slices"
)

// Charts: plain SVG, laid out here and drawn by the template.

type barItem struct {
	label string
	value float64
	se    float64 // < 0: none
}

type scaled struct {
	factor float64
	unit   string
}

type barChart struct {
	Title, Unit    string
	Width, Height  int
	LabelX, ValueX float64
	ZeroX          float64
	PlotTop        float64
	PlotBottom     float64
	Bars           []bar
}

type bar struct {
	Label    string
	Y, TextY float64
	X, W     float64
	Neg      bool
	Value    string
	Tip      string
}

const (
	chartWidth  = 960
	barLabelW   = 150
	barValueW   = 260
	barRowH     = 20
	barTop      = 8
	barMaxItems = 400
)

func newBarChart(title, unit string, items []barItem, sc *scaled) *barChart {
	if len(items) > barMaxItems {
		items = items[:barMaxItems]
	}
	c := &barChart{Title: title, Unit: unit, Width: chartWidth, LabelX: barLabelW, ValueX: chartWidth - barValueW}
	lo, hi := 0.0, 0.0
	for _, it := range items {
		lo, hi = min(lo, it.value), max(hi, it.value)
	}
	x0, x1 := float64(barLabelW+10), float64(chartWidth-barValueW-10)
	span := hi - lo
	if span == 0 {
		span = 1
	}
	scale := (x1 - x0) / span
	c.ZeroX = round1(x0 + (0-lo)*scale)
	c.PlotTop = barTop
	for i, it := range items {
		y := float64(barTop + i*barRowH)
		x := x0 + (min(it.value, 0)-lo)*scale
		w := math.Abs(it.value) * scale
		val := num(it.value)
		if it.se >= 0 {
			val += " ± " + num(it.se)
		}
		tip := it.label + ": " + val + " " + unit
		if sc != nil {
			val += " (" + num(it.value*sc.factor) + " " + sc.unit + ")"
			tip += ", " + num(it.value*sc.factor) + " " + sc.unit
		}
		c.Bars = append(c.Bars, bar{Label: it.label, Y: y + 3, TextY: y + 14, X: round1(x), W: round1(max(w, 0.5)), Neg: it.value < 0, Value: val, Tip: tip})
	}
	c.PlotBottom = float64(barTop + len(items)*barRowH)
	c.Height = int(c.PlotBottom) + 8
	return c
}

type heatMap struct {
	Title, Note      string
	RowName, ColName string
	Width, Height    int
	Rows, Cols       []axisLabel
	Cells            []drawnCell
}

type axisLabel struct {
	Text string
	X, Y float64
}

type heatCell struct {
	Row, Col  int
	Value     float64
	Text, Tip string
}

type drawnCell struct {
	X, Y, W, H float64
	TX, TY     float64
	Fill, Ink  string
	Text, Tip  string
}

func newHeatMap(title, note, rowName, colName string, rows, cols []string, cells []heatCell) *heatMap {
	const left, top, cw, ch = 110.0, 40.0, 84.0, 26.0
	h := &heatMap{Title: title, Note: note, RowName: rowName, ColName: colName}
	h.Width = int(left + cw*float64(len(cols)) + 10)
	h.Height = int(top + ch*float64(len(rows)) + 10)
	for j, c := range cols {
		h.Cols = append(h.Cols, axisLabel{c, left + cw*float64(j) + cw/2, top - 8})
	}
	for i, r := range rows {
		h.Rows = append(h.Rows, axisLabel{r, left - 8, top + ch*float64(i) + ch/2 + 4})
	}
	var m float64
	for _, c := range cells {
		m = max(m, math.Abs(c.Value))
	}
	for _, c := range cells {
		fill, ink := diverging(c.Value, m)
		x, y := left+cw*float64(c.Col), top+ch*float64(c.Row)
		h.Cells = append(h.Cells, drawnCell{X: x + 1, Y: y + 1, W: cw - 2, H: ch - 2, TX: x + cw/2, TY: y + ch/2 + 4,
			Fill: fill, Ink: ink, Text: c.Text, Tip: c.Tip})
	}
	return h
}

// diverging maps v in [−m, m] to a colour: blue for positive, red for
// negative, white for zero; and the ink that reads on it.
func diverging(v, m float64) (fill, ink string) {
	if m == 0 {
		return "#f7f7f7", "#222"
	}
	f := math.Min(math.Abs(v)/m, 1)
	// From white to #2166ac (positive) or #b2182b (negative).
	to := [3]float64{0x21, 0x66, 0xac}
	if v < 0 {
		to = [3]float64{0xb2, 0x18, 0x2b}
	}
	var c [3]int
	for i := range c {
		c[i] = int(math.Round(255 + (to[i]-255)*f))
	}
	ink = "#222"
	if f > 0.55 {
		ink = "#fff"
	}
	return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2]), ink
}

type scatter struct {
	Width, Height      int
	X0, X1, Y0, Y1     float64
	XTicks, YTicks     []tick
	Points             []scatterPoint
	Shown, Total, Note string
}

type tick struct {
	Pos  float64
	Text string
}

type scatterPoint struct {
	X, Y float64
	Fail bool
	Tip  string
}

// relFloor is where a relative difference of 0 is drawn on the log scale.
const relFloor = 1e-16

func newScatter(pts []valPoint, total int) *scatter {
	s := &scatter{Width: chartWidth, Height: 420, X0: 80, X1: chartWidth - 20, Y0: 20, Y1: 370}
	// A figure with aad = bump = 0 agrees trivially and has no place on a
	// log scale of magnitude.
	zeros := 0
	pts = slices.DeleteFunc(slices.Clone(pts), func(p valPoint) bool {
		if p.AAD == 0 && p.Bump == 0 {
			zeros++
			return true
		}
		return false
	})
	s.Shown, s.Total = count(len(pts)), count(total)
	if zeros > 0 {
		s.Note = fmt.Sprintf("Figures with aad = bump = 0 are not drawn (%s of those kept for the chart). ", count(zeros))
	}
	if len(pts) == 0 {
		return s
	}
	lx := func(p *valPoint) float64 {
		return math.Log10(math.Max(math.Max(math.Abs(p.AAD), math.Abs(p.Bump)), 1e-300))
	}
	ly := func(p *valPoint) float64 { return math.Log10(math.Max(p.RelDiff, relFloor)) }
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := range pts {
		x, y := lx(&pts[i]), ly(&pts[i])
		xmin, xmax, ymin, ymax = min(xmin, x), max(xmax, x), min(ymin, y), max(ymax, y)
	}
	xmin, xmax = math.Floor(xmin), math.Ceil(xmax)
	ymin, ymax = math.Floor(ymin), math.Ceil(ymax)
	if xmax == xmin {
		xmax++
	}
	if ymax == ymin {
		ymax++
	}
	px := func(x float64) float64 { return round1(s.X0 + (x-xmin)/(xmax-xmin)*(s.X1-s.X0)) }
	py := func(y float64) float64 { return round1(s.Y1 - (y-ymin)/(ymax-ymin)*(s.Y1-s.Y0)) }
	step := math.Max(1, math.Ceil((xmax-xmin)/12))
	for e := xmin; e <= xmax; e += step {
		s.XTicks = append(s.XTicks, tick{px(e), "10" + superscript(int(e))})
	}
	step = math.Max(1, math.Ceil((ymax-ymin)/10))
	for e := ymin; e <= ymax; e += step {
		s.YTicks = append(s.YTicks, tick{py(e), "10" + superscript(int(e))})
	}
	// Failures last, so that they are drawn on top.
	for _, fail := range [...]bool{false, true} {
		for i := range pts {
			p := &pts[i]
			if p.OK == fail {
				continue
			}
			tip := fmt.Sprintf("%s %s: aad %s, bump %s, rel diff %s", p.TradeID, p.RiskFactor, num(p.AAD), num(p.Bump), num(p.RelDiff))
			s.Points = append(s.Points, scatterPoint{X: px(lx(p)), Y: py(ly(p)), Fail: !p.OK, Tip: tip})
		}
	}
	if total > len(pts) {
		s.Note += fmt.Sprintf("%s of %s figures shown: the worst, the failures and an even sample of the rest.", s.Shown, s.Total)
	}
	return s
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
