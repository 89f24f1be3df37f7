package reports

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing"
)

//go:embed report.html.tmpl
var reportFS embed.FS

var reportTemplate = template.Must(template.New("report.html.tmpl").ParseFS(reportFS, "report.html.tmpl"))

// ReportOptions configure a Report. Zero values take the defaults.
type ReportOptions struct {
	// MaxFailures bounds the failed trades listed (default 10,000); the
	// count is always complete, and the report says how many were left out.
	MaxFailures int
	// Top is the number of largest positions listed by |PV| and by |vega|
	// (default 20).
	Top int
	// WorstValidations is the number of validation figures listed, worst
	// relative difference first (default 50).
	WorstValidations int
	// ValidationPoints bounds the points of the validation chart (default
	// 2,000): the worst figures, the failures and an even sample of the
	// others.
	ValidationPoints int
}

// Report gathers the results of a run for the HTML risk report
// (Report.Write): a self-contained page, with inline CSS and SVG charts, no
// script and no external resource, that a browser opens offline.
//
// It streams: Add and AddValidation keep only aggregates (counts, the
// failed trades, sums per underlying and currency, per currency and per
// risk factor and currency, the largest positions, the worst validation
// figures and a bounded sample of the others), so its memory does not grow
// with the number of trades but for the failed ones (at most MaxFailures)
// and the risk factors. The sums per risk factor and currency are exact,
// rounded once, like risk.csv's: the report's figures are risk.csv's. No
// figure of the report adds two currencies: every table has a currency
// column or is per currency, and every risk ladder, heat map and matrix is
// of one currency.
//
// A Report is not safe for concurrent use: one goroutine adds the results,
// in input order (the order only breaks ties in the rankings).
type Report struct {
	opts ReportOptions

	seq        int
	ok, failed int
	mc         int // ok trades with a standard error

	failures []failure

	byUnderlying map[groupKey]*group
	byCurrency   map[string]*group

	topPV, topVega topHeap

	// factors holds the sums per risk factor and currency, as risk.csv.
	factors map[riskKey]*factorSum

	val reportValidation
}

type failure struct {
	Line                                           int
	TradeID, Instrument, Underlying, Currency, Err string
}

type groupKey struct{ underlying, currency string }

// group sums the figures of the ok trades of one underlying (and currency)
// or of one currency.
type group struct {
	trades, failed                             int
	mc                                         int
	hasDelta                                   bool
	pv, delta, gamma, vega, rho, divRho, theta exactSum
	// se2 is the sum of the squared standard errors of pv: the standard
	// error of the sum for independent Monte Carlo estimates.
	se2 float64
}

type factorSum struct {
	sum   exactSum
	se2   float64
	hasSE bool
}

// topPosition is one ok trade, as listed among the largest.
type topPosition struct {
	seq                                               int
	TradeID, Instrument, Engine, Underlying, Currency string
	PV, StdError                                      float64
	HasStdError, HasDelta                             bool
	Delta, Gamma, Vega, Rho, DivRho, Theta            float64
	// The Monte Carlo standard errors of the Greeks, with HasStdError.
	DeltaSE, GammaSE, VegaSE, RhoSE, ThetaSE float64
}

// topHeap keeps the n positions of largest |key|: a min-heap on |key|, ties
// broken for the earlier trade.
type topHeap struct {
	n     int
	key   func(*topPosition) float64
	items []topPosition
}

// less reports whether a ranks below b.
func (h *topHeap) less(a, b *topPosition) bool {
	ka, kb := math.Abs(h.key(a)), math.Abs(h.key(b))
	if ka != kb {
		return ka < kb
	}
	return a.seq > b.seq
}

func (h *topHeap) push(p topPosition) {
	if len(h.items) < h.n {
		h.items = append(h.items, p)
		for i := len(h.items) - 1; i > 0; {
			parent := (i - 1) / 2
			if !h.less(&h.items[i], &h.items[parent]) {
				break
			}
			h.items[i], h.items[parent] = h.items[parent], h.items[i]
			i = parent
		}
		return
	}
	if h.n == 0 || !h.less(&h.items[0], &p) {
		return
	}
	h.items[0] = p
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h.items) && h.less(&h.items[l], &h.items[m]) {
			m = l
		}
		if r < len(h.items) && h.less(&h.items[r], &h.items[m]) {
			m = r
		}
		if m == i {
			break
		}
		h.items[i], h.items[m] = h.items[m], h.items[i]
		i = m
	}
}

// sorted returns the positions, largest first.
func (h *topHeap) sorted() []topPosition {
	s := slices.Clone(h.items)
	slices.SortFunc(s, func(a, b topPosition) int {
		if h.less(&a, &b) {
			return 1
		}
		if h.less(&b, &a) {
			return -1
		}
		return 0
	})
	return s
}

// valPoint is one validation figure kept for the chart or the table.
type valPoint struct {
	seq int
	pricing.Validation
}

type reportValidation struct {
	added    bool
	ok, fail int
	worst    []valPoint // a min-heap on the badness, at most WorstValidations
	// sample holds every k-th figure (by seq); when it outgrows its bound,
	// k doubles and the others are dropped, so it is an even, deterministic
	// sample of any number of figures.
	sample []valPoint
	k      int
	fails  []valPoint // the first failures, for the chart
}

// worse reports whether a is a worse agreement than b: a larger relative
// difference, then a larger absolute one, then the earlier figure.
func worse(a, b *valPoint) bool {
	if a.RelDiff != b.RelDiff {
		return a.RelDiff > b.RelDiff
	}
	if a.AbsDiff != b.AbsDiff {
		return a.AbsDiff > b.AbsDiff
	}
	return a.seq < b.seq
}

// NewReport returns an empty Report.
func NewReport(opts ReportOptions) *Report {
	if opts.MaxFailures <= 0 {
		opts.MaxFailures = 10000
	}
	if opts.Top <= 0 {
		opts.Top = 20
	}
	if opts.WorstValidations <= 0 {
		opts.WorstValidations = 50
	}
	if opts.ValidationPoints <= 0 {
		opts.ValidationPoints = 2000
	}
	r := &Report{
		opts:         opts,
		byUnderlying: make(map[groupKey]*group),
		byCurrency:   make(map[string]*group),
		factors:      make(map[riskKey]*factorSum),
	}
	r.topPV = topHeap{n: opts.Top, key: func(p *topPosition) float64 { return p.PV }}
	r.topVega = topHeap{n: opts.Top, key: func(p *topPosition) float64 { return p.Vega }}
	r.val.k = 1
	return r
}

// Counts returns the numbers of ok and failed trades added so far.
func (r *Report) Counts() (ok, failed int) { return r.ok, r.failed }

// Add adds the result of one trade; it keeps no reference to res. Like
// Writer.Add, it refuses an ok result with a NaN or an infinity, and then
// adds nothing.
func (r *Report) Add(res *pricing.Result) error {
	if res == nil {
		return errors.New("reports: nil result")
	}
	if res.Err == nil {
		if err := checkResult(res); err != nil {
			return err
		}
	}
	r.seq++
	gk := groupKey{res.Underlying, res.Currency}
	g := r.byUnderlying[gk]
	if g == nil {
		g = new(group)
		r.byUnderlying[gk] = g
	}
	c := r.byCurrency[res.Currency]
	if c == nil {
		c = new(group)
		r.byCurrency[res.Currency] = c
	}
	if res.Err != nil {
		r.failed++
		g.failed++
		c.failed++
		if len(r.failures) < r.opts.MaxFailures {
			r.failures = append(r.failures, failure{Line: res.Line, TradeID: res.TradeID, Instrument: res.Instrument,
				Underlying: res.Underlying, Currency: res.Currency, Err: res.Err.Error()})
		}
		return nil
	}
	r.ok++
	for _, x := range [...]*group{g, c} {
		x.trades++
		x.pv.add(res.PV)
		x.vega.add(res.Vega)
		x.rho.add(res.Rho)
		x.divRho.add(res.DivRho)
		x.theta.add(res.Theta)
		if res.HasStdError {
			x.mc++
			x.se2 += res.StdError * res.StdError
		}
	}
	if res.HasDelta {
		g.hasDelta = true
		g.delta.add(res.Delta)
		g.gamma.add(res.Gamma)
	}
	if res.HasStdError {
		r.mc++
	}
	p := topPosition{seq: r.seq, TradeID: res.TradeID, Instrument: res.Instrument, Engine: res.Engine,
		Underlying: res.Underlying, Currency: res.Currency, PV: res.PV, StdError: res.StdError,
		HasStdError: res.HasStdError, HasDelta: res.HasDelta, Delta: res.Delta, Gamma: res.Gamma,
		Vega: res.Vega, Rho: res.Rho, DivRho: res.DivRho, Theta: res.Theta,
		DeltaSE: res.DeltaStdError, GammaSE: res.GammaStdError, VegaSE: res.VegaStdError, RhoSE: res.RhoStdError, ThetaSE: res.ThetaStdError}
	r.topPV.push(p)
	r.topVega.push(p)
	for i := range res.Sens {
		s := &res.Sens[i]
		k := riskKey{s.RiskFactor, res.Currency}
		f := r.factors[k]
		if f == nil {
			f = new(factorSum)
			r.factors[k] = f
		}
		f.sum.add(s.Value)
		if s.HasStdError {
			f.hasSE = true
			f.se2 += s.StdError * s.StdError
		}
	}
	return nil
}

// AddValidation adds validation figures (aadrisk validate). Like
// Writer.AddValidation, it refuses a NaN or an infinity, adding none.
func (r *Report) AddValidation(vs []pricing.Validation) error {
	for i := range vs {
		if err := checkValidation(&vs[i]); err != nil {
			return err
		}
	}
	v := &r.val
	v.added = true
	for i := range vs {
		p := valPoint{seq: v.ok + v.fail, Validation: vs[i]}
		if p.OK {
			v.ok++
		} else {
			v.fail++
			if len(v.fails) < r.opts.ValidationPoints/4 {
				v.fails = append(v.fails, p)
			}
		}
		r.pushWorst(p)
		if p.seq%v.k == 0 {
			v.sample = append(v.sample, p)
			if len(v.sample) > r.opts.ValidationPoints/2 {
				v.k *= 2
				v.sample = slices.DeleteFunc(v.sample, func(q valPoint) bool { return q.seq%v.k != 0 })
			}
		}
	}
	return nil
}

// pushWorst keeps p if it is among the worst figures.
func (r *Report) pushWorst(p valPoint) {
	h := &r.val.worst
	// A min-heap on badness: the root is the best of the worst.
	better := func(i, j int) bool { return worse(&(*h)[j], &(*h)[i]) }
	if len(*h) < r.opts.WorstValidations {
		*h = append(*h, p)
		for i := len(*h) - 1; i > 0; {
			parent := (i - 1) / 2
			if !better(i, parent) {
				break
			}
			(*h)[i], (*h)[parent] = (*h)[parent], (*h)[i]
			i = parent
		}
		return
	}
	if !worse(&p, &(*h)[0]) {
		return
	}
	(*h)[0] = p
	for i := 0; ; {
		l, rr, m := 2*i+1, 2*i+2, i
		if l < len(*h) && better(l, m) {
			m = l
		}
		if rr < len(*h) && better(rr, m) {
			m = rr
		}
		if m == i {
			break
		}
		(*h)[i], (*h)[m] = (*h)[m], (*h)[i]
		i = m
	}
}

// WriteFile writes the report to path atomically (see CreateAtomic).
func (r *Report) WriteFile(path string, m *Manifest) error {
	f, err := CreateAtomic(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := r.Write(f, m); err != nil {
		return err
	}
	return f.Commit()
}

// AtomicFile is a file written atomically: the bytes go to a temporary
// file in the same directory, and Commit fsyncs it and renames it into
// place; Abort removes it. Until Commit, nothing is visible under the final
// name, so an interrupted run never leaves a half-written file. Creating it
// first checks early that the file can be written.
type AtomicFile struct {
	t    *tempFile
	path string
	err  error
	done bool
}

// CreateAtomic creates the temporary file for path.
func CreateAtomic(path string) (*AtomicFile, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return nil, fmt.Errorf("reports: %q is a directory, not a file name", path)
	}
	t, err := createTemp(dir, base, 1<<16)
	if err != nil {
		return nil, err
	}
	return &AtomicFile{t: t, path: path}, nil
}

// Write buffers p and writes the buffer out as it fills.
func (f *AtomicFile) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if f.done {
		return 0, errors.New("reports: write after Commit or Abort")
	}
	f.t.buf = append(f.t.buf, p...)
	if len(f.t.buf) >= flushSize {
		if err := f.t.flush(); err != nil {
			f.err = err
			return 0, err
		}
	}
	return len(p), nil
}

// Commit flushes, fsyncs and closes the file and renames it into place.
func (f *AtomicFile) Commit() error {
	if f.err != nil {
		return f.err
	}
	if f.done {
		return errors.New("reports: Commit after Commit or Abort")
	}
	f.done = true
	if err := f.t.finish(); err != nil {
		f.t.remove()
		return err
	}
	if err := f.t.rename(); err != nil {
		f.t.remove()
		return err
	}
	return syncDir(filepath.Dir(f.path))
}

// Abort removes the temporary file; after Commit it does nothing.
func (f *AtomicFile) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	return f.t.remove()
}

// Write writes the report as one HTML page. m describes the run (its
// counts are not used: the report counts what it was given); its as-of
// date orders the curve pillars and vol expiries by time.
func (r *Report) Write(w io.Writer, m *Manifest) error {
	if m == nil {
		return errors.New("reports: Write with a nil manifest")
	}
	asof, err := time.Parse(time.DateOnly, m.AsOf)
	if err != nil {
		return fmt.Errorf("reports: manifest as-of date %q is not YYYY-MM-DD", m.AsOf)
	}
	v, err := r.view(m, asof)
	if err != nil {
		return err
	}
	return reportTemplate.Execute(w, v)
}

// ---- The view: everything the template prints, formatted. ----

type reportView struct {
	Title       string
	Run         []kv
	Inputs      []InputFile
	OK, Failed  string
	FailedN     int
	Failures    []failure
	FailuresCut string
	MC          bool

	Underlyings []groupRow
	Currencies  []groupRow

	TopPV, TopVega posTable

	Delta, Gamma []*barChart
	Rho, DivRho  []*barChart
	Vega         []*heatMap
	Corr         []*heatMap
	Other        []factorRow

	Validation *validationView
	Generated  string
}

type kv struct{ K, V string }

type groupRow struct {
	Name, Currency                                   string
	Trades, Failed                                   string
	PV, SE                                           string
	Delta, Gamma                                     string
	Vega, VegaPt, Rho, RhoBp, DivRho, ThetaY, ThetaD string
}

type posRow struct {
	TradeID, Instrument, Engine, Underlying, Currency              string
	PV, SE, Delta, Gamma, Vega, VegaPt, Rho, RhoBp, ThetaY, ThetaD string
}

type posTable struct {
	Rows []posRow
	MC   bool
}

type factorRow struct{ Key, Currency, Value, SE string }

type validationView struct {
	OK, Fail, Total string
	Chart           *scatter
	Worst           []valRow
}

type valRow struct {
	TradeID, RiskFactor, Check, AAD, Bump, AbsDiff, RelDiff, Tolerance, Z, Status string
	Fail                                                                          bool
}

func (r *Report) view(m *Manifest, asof time.Time) (*reportView, error) {
	v := &reportView{
		Title:   fmt.Sprintf("Risk report: %s as of %s", orDash(m.Command), m.AsOf),
		Inputs:  m.Inputs,
		OK:      count(r.ok),
		Failed:  count(r.failed),
		FailedN: r.failed,
		MC:      r.mc > 0,
	}
	dur := "—"
	if !m.Start.IsZero() && !m.End.IsZero() {
		dur = m.End.Sub(m.Start).Round(time.Millisecond).String()
	}
	shard := m.Shard
	if shard == "" {
		shard = "all (unsharded, or merged)"
	}
	v.Run = []kv{
		{"as-of date", m.AsOf},
		{"command", orDash(m.Command)},
		{"version", orDash(m.Version)},
		{"seed", strconv.FormatUint(m.Seed, 10)},
		{"Monte Carlo paths (default)", count(m.Paths)},
		{"shard", shard},
		{"workers", count(m.Workers)},
		{"trades", fmt.Sprintf("%s ok, %s failed, %s in all", count(r.ok), count(r.failed), count(r.ok+r.failed))},
		{"start", timeText(m.Start)},
		{"end", timeText(m.End)},
		{"duration", dur},
	}
	v.Failures = r.failures
	if r.failed > len(r.failures) {
		v.FailuresCut = fmt.Sprintf("%s failed trades are not listed here (the report lists the first %s); results.csv has every one of them with its reason.",
			count(r.failed-len(r.failures)), count(len(r.failures)))
	}

	// PV and Greeks per underlying and per currency.
	keys := make([]groupKey, 0, len(r.byUnderlying))
	for k := range r.byUnderlying {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b groupKey) int {
		return cmp.Or(cmp.Compare(a.underlying, b.underlying), cmp.Compare(a.currency, b.currency))
	})
	// Gamma per underlying, one chart per currency (charts in currency
	// order, bars in underlying order).
	gammaBars := map[string][]barItem{}
	for _, k := range keys {
		g := r.byUnderlying[k]
		v.Underlyings = append(v.Underlyings, groupView(orDash(k.underlying), k.currency, g))
		if g.hasDelta {
			gammaBars[k.currency] = append(gammaBars[k.currency], barItem{orDash(k.underlying), g.gamma.value(), -1})
		}
	}
	ccys := make([]string, 0, len(r.byCurrency))
	for k := range r.byCurrency {
		ccys = append(ccys, k)
	}
	slices.Sort(ccys)
	for _, c := range ccys {
		v.Currencies = append(v.Currencies, groupView(orDash(c), c, r.byCurrency[c]))
	}
	for _, p := range r.topPV.sorted() {
		v.TopPV.Rows = append(v.TopPV.Rows, posView(&p))
	}
	for _, p := range r.topVega.sorted() {
		v.TopVega.Rows = append(v.TopVega.Rows, posView(&p))
	}
	v.TopPV.MC, v.TopVega.MC = v.MC, v.MC

	// Risk factors, in risk.csv's order: every figure is the sum over the
	// trades of one currency, and each chart, map and table row is of one
	// currency, so that no figure adds two currencies.
	fkeys := make([]riskKey, 0, len(r.factors))
	for k := range r.factors {
		fkeys = append(fkeys, k)
	}
	sortRisk(fkeys, asof)
	type pillar struct {
		key       riskKey
		value, se float64
		hasSE     bool
	}
	// curve is the pillars of one curve, surface or matrix in one
	// currency, in ladder order.
	type curve struct {
		name, currency string
		ps             []pillar
	}
	var spots, rates, divs, vols, corrs []*curve
	type curveKey struct {
		kind           marketdata.Kind
		name, currency string
	}
	curves := map[curveKey]*curve{}
	add := func(cs []*curve, name string, p pillar) []*curve {
		k := curveKey{p.key.factor.Kind(), name, p.key.currency}
		if c := curves[k]; c != nil {
			c.ps = append(c.ps, p)
			return cs
		}
		c := &curve{name: name, currency: p.key.currency, ps: []pillar{p}}
		curves[k] = c
		return append(cs, c)
	}
	var other []pillar
	for _, k := range fkeys {
		f := r.factors[k]
		p := pillar{key: k, value: f.sum.value(), se: math.Sqrt(f.se2), hasSE: f.hasSE}
		if !finite(p.value) {
			return nil, fmt.Errorf("reports: risk factor %q in %q: portfolio sensitivity %v: %w", k.factor.String(), k.currency, p.value, errNonFinite)
		}
		name := k.factor.Name()
		switch k.factor.Kind() {
		case marketdata.Spot:
			// One chart per currency: the name is the bar.
			spots = add(spots, "", p)
		case marketdata.Rate:
			rates = add(rates, name, p)
		case marketdata.DivYield:
			divs = add(divs, name, p)
		case marketdata.Vol:
			vols = add(vols, name, p)
		case marketdata.Corr:
			corrs = add(corrs, "", p)
		default:
			other = append(other, p)
		}
	}
	// Charts by name, then currency (the pillars within each stay in
	// ladder order).
	for _, cs := range [...][]*curve{spots, rates, divs, vols, corrs} {
		slices.SortFunc(cs, func(a, b *curve) int {
			return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.currency, b.currency))
		})
	}
	se := func(p pillar) float64 {
		if p.hasSE {
			return p.se
		}
		return -1
	}
	in := func(ccy string) string { return "in " + orDash(ccy) }

	// Delta is risk.csv's SPOT rows: with a basket's deltas to its assets,
	// which results.csv's delta (and the gamma beside it) leaves out.
	for _, c := range spots {
		items := make([]barItem, len(c.ps))
		for i, p := range c.ps {
			items[i] = barItem{p.key.factor.Name(), p.value, se(p)}
		}
		v.Delta = append(v.Delta, newBarChart("Delta per underlying, "+in(c.currency), orDash(c.currency)+" per unit of spot (risk.csv's SPOT rows)", items, nil))
	}
	for _, c := range ccys {
		if items := gammaBars[c]; len(items) > 0 {
			v.Gamma = append(v.Gamma, newBarChart("Gamma per underlying, "+in(c), orDash(c)+" per unit of spot² (results.csv, the trades on that underlying)", items, nil))
		}
	}
	ladder := func(cs []*curve, title, unit string, per float64, perUnit string) []*barChart {
		var charts []*barChart
		for _, c := range cs {
			items := make([]barItem, len(c.ps))
			for i, p := range c.ps {
				items[i] = barItem{p.key.factor.Pillar(), p.value, se(p)}
			}
			charts = append(charts, newBarChart(title+" "+c.name+", "+in(c.currency), orDash(c.currency)+" "+unit, items, &scaled{per, perUnit}))
		}
		return charts
	}
	v.Rho = ladder(rates, "Rho per pillar of the RATE curve", "per 1.00 of rate", 1e-4, "per bp")
	v.DivRho = ladder(divs, "Dividend rho per pillar of the DIVYIELD curve", "per 1.00 of yield", 1e-4, "per bp")

	// Vega heat maps: expiry × strike, one per surface and currency. The
	// expiries come in ladder order (time); the strikes of all expiries are
	// put in numeric order, a blank strike first.
	for _, c := range vols {
		var expiries []string
		var strikes []marketdata.Key // a key of each strike, for its value
		for _, p := range c.ps {
			f := p.key.factor
			if !slices.Contains(expiries, f.Pillar()) {
				expiries = append(expiries, f.Pillar())
			}
			if !slices.ContainsFunc(strikes, func(k marketdata.Key) bool { return k.Strike() == f.Strike() }) {
				strikes = append(strikes, f)
			}
		}
		slices.SortFunc(strikes, func(a, b marketdata.Key) int {
			// K is 0 for a blank strike and > 0 for the others.
			return cmp.Or(cmp.Compare(a.K(), b.K()), strings.Compare(a.Strike(), b.Strike()))
		})
		cols := make([]string, len(strikes))
		for i, s := range strikes {
			cols[i] = s.Strike()
			if cols[i] == "" {
				cols[i] = "(flat)"
			}
		}
		cells := make([]heatCell, 0, len(c.ps))
		for _, p := range c.ps {
			f := p.key.factor
			i := slices.Index(expiries, f.Pillar())
			j := slices.IndexFunc(strikes, func(k marketdata.Key) bool { return k.Strike() == f.Strike() })
			tip := fmt.Sprintf("%s, %s: %s per 1.00 of vol, %s per vol point", f, in(p.key.currency), num(p.value), num(p.value/100))
			if p.hasSE {
				tip += ", std error " + num(p.se)
			}
			cells = append(cells, heatCell{Row: i, Col: j, Value: p.value, Text: num(p.value / 100), Tip: tip})
		}
		slices.SortFunc(cells, func(a, b heatCell) int { return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(a.Col, b.Col)) })
		v.Vega = append(v.Vega, newHeatMap("Vega of "+c.name+", "+in(c.currency)+": expiry × strike",
			"cells: "+orDash(c.currency)+" per vol point (÷100 of the figure per 1.00 of vol; hover for both)", "expiry", "strike", expiries, cols, cells))
	}

	// Correlation sensitivities, one matrix per currency.
	for _, c := range corrs {
		var ns []string
		for _, p := range c.ps {
			a, b := p.key.factor.Pair()
			for _, x := range [...]string{a, b} {
				if !slices.Contains(ns, x) {
					ns = append(ns, x)
				}
			}
		}
		slices.Sort(ns)
		var cells []heatCell
		for _, p := range c.ps {
			a, b := p.key.factor.Pair()
			i, j := slices.Index(ns, a), slices.Index(ns, b)
			tip := fmt.Sprintf("%s, %s: %s per 1.00 of correlation", p.key.factor, in(p.key.currency), num(p.value))
			if p.hasSE {
				tip += ", std error " + num(p.se)
			}
			cells = append(cells, heatCell{Row: i, Col: j, Value: p.value, Text: num(p.value), Tip: tip},
				heatCell{Row: j, Col: i, Value: p.value, Text: num(p.value), Tip: tip})
		}
		v.Corr = append(v.Corr, newHeatMap("Correlation sensitivities, "+in(c.currency),
			"cells: "+orDash(c.currency)+" per 1.00 of correlation, ∂pv/∂ρ for the pair (shown in both halves)", "", "", ns, ns, cells))
	}
	for _, p := range other {
		row := factorRow{Key: p.key.factor.String(), Currency: orDash(p.key.currency), Value: num(p.value)}
		if p.hasSE {
			row.SE = num(p.se)
		}
		v.Other = append(v.Other, row)
	}
	if r.val.added {
		v.Validation = r.validationView()
	}
	v.Generated = fmt.Sprintf("Written by %s. Figures are rounded to 6 significant digits for reading; the exact figures are those of results.csv and risk.csv.", orDash(m.Version))
	return v, nil
}

func groupView(name, ccy string, g *group) groupRow {
	row := groupRow{Name: name, Currency: orDash(ccy), Trades: count(g.trades), Failed: count(g.failed)}
	pv, vega, rho, theta := g.pv.value(), g.vega.value(), g.rho.value(), g.theta.value()
	row.PV = num(pv)
	if g.mc > 0 {
		row.SE = num(math.Sqrt(g.se2))
	}
	if g.hasDelta {
		row.Delta, row.Gamma = num(g.delta.value()), num(g.gamma.value())
	}
	row.Vega, row.VegaPt = num(vega), num(vega/100)
	row.Rho, row.RhoBp = num(rho), num(rho/1e4)
	row.DivRho = num(g.divRho.value())
	row.ThetaY, row.ThetaD = num(theta), num(theta/365)
	return row
}

func posView(p *topPosition) posRow {
	row := posRow{TradeID: p.TradeID, Instrument: p.Instrument, Engine: p.Engine, Underlying: orDash(p.Underlying), Currency: orDash(p.Currency),
		PV: num(p.PV), Vega: num(p.Vega), VegaPt: num(p.Vega / 100), Rho: num(p.Rho), RhoBp: num(p.Rho / 1e4),
		ThetaY: num(p.Theta), ThetaD: num(p.Theta / 365)}
	if p.HasStdError {
		row.SE = num(p.StdError)
	}
	if p.HasDelta {
		row.Delta, row.Gamma = num(p.Delta), num(p.Gamma)
	}
	if p.HasStdError {
		// A Monte Carlo position's Greeks carry their standard errors.
		pm := func(s *string, se float64) { *s += " ± " + num(se) }
		if p.HasDelta {
			pm(&row.Delta, p.DeltaSE)
			pm(&row.Gamma, p.GammaSE)
		}
		pm(&row.Vega, p.VegaSE)
		pm(&row.VegaPt, p.VegaSE/100)
		pm(&row.Rho, p.RhoSE)
		pm(&row.RhoBp, p.RhoSE/1e4)
		pm(&row.ThetaY, p.ThetaSE)
		pm(&row.ThetaD, p.ThetaSE/365)
	}
	return row
}

func (r *Report) validationView() *validationView {
	v := &r.val
	vv := &validationView{OK: count(v.ok), Fail: count(v.fail), Total: count(v.ok + v.fail)}
	worst := slices.Clone(v.worst)
	slices.SortFunc(worst, func(a, b valPoint) int {
		if worse(&a, &b) {
			return -1
		}
		if worse(&b, &a) {
			return 1
		}
		return 0
	})
	for _, p := range worst {
		status := "ok"
		if !p.OK {
			status = "fail"
		}
		z := ""
		if p.HasStdError {
			z = num(p.Z)
		}
		vv.Worst = append(vv.Worst, valRow{TradeID: p.TradeID, RiskFactor: p.RiskFactor, Check: p.Check, AAD: num(p.AAD), Bump: num(p.Bump),
			AbsDiff: num(p.AbsDiff), RelDiff: num(p.RelDiff), Tolerance: num(p.Tolerance), Z: z, Status: status, Fail: !p.OK})
	}
	// The chart: the worst, the failures kept and the sample, once each.
	seen := map[int]bool{}
	var pts []valPoint
	for _, list := range [...][]valPoint{worst, v.fails, v.sample} {
		for _, p := range list {
			if !seen[p.seq] {
				seen[p.seq] = true
				pts = append(pts, p)
			}
		}
	}
	slices.SortFunc(pts, func(a, b valPoint) int { return cmp.Compare(a.seq, b.seq) })
	vv.Chart = newScatter(pts, v.ok+v.fail)
	return vv
}

// ---- Number formatting ----

// num formats v for reading: 6 significant digits, thousands separators in
// the integer part, no trailing zeros; an exponent for very large or very
// small magnitudes.
func num(v float64) string {
	if v == 0 {
		return "0"
	}
	if !finite(v) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	// Round to 6 significant digits first, so that the exponent is the
	// rounded figure's.
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'e', 5, 64), 64)
	e := int(math.Floor(math.Log10(math.Abs(r))))
	if e >= 15 || e < -5 {
		s := strconv.FormatFloat(r, 'e', 5, 64)
		mant, exp, _ := strings.Cut(s, "e")
		if strings.Contains(mant, ".") {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		return strings.Replace(mant, "-", "−", 1) + "×10" + superscript(exp)
	}
	s := strconv.FormatFloat(r, 'f', max(0, 5-e), 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteString("−")
	}
	for i, c := range ip {
		if i > 0 && (len(ip)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(fp)
	}
	return b.String()
}

func superscript(exp string) string {
	n, _ := strconv.Atoi(exp)
	s := strconv.Itoa(n)
	const sup = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	digits := []rune(sup)
	var b strings.Builder
	for _, c := range s {
		if c == '-' {
			b.WriteString("⁻")
			continue
		}
		b.WriteRune(digits[c-'0'])
	}
	return b.String()
}

// count formats a whole number with thousands separators.
func count(n int) string {
	if n < 0 {
		return "−" + count(-n)
	}
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05.000 UTC")
}

// ---- Charts: plain SVG, laid out here and drawn by the template ----

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
		s.XTicks = append(s.XTicks, tick{px(e), "10" + superscript(strconv.Itoa(int(e)))})
	}
	step = math.Max(1, math.Ceil((ymax-ymin)/10))
	for e := ymin; e <= ymax; e += step {
		s.YTicks = append(s.YTicks, tick{py(e), "10" + superscript(strconv.Itoa(int(e)))})
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
