package reports

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aadrisk/aadrisk/marketdata"
)

//go:embed report.html.tmpl
var reportFS embed.FS

var reportTemplate = template.Must(template.New("report.html.tmpl").ParseFS(reportFS, "report.html.tmpl"))

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

// The view: everything the template prints, formatted.

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

	// Second is the second-order risk, one view per currency; none
	// without second-order figures.
	Second []*secondView

	Validation *validationView
	Generated  string
}

type kv struct{ K, V string }

type groupRow struct {
	Name, Currency                          string
	Trades, Failed                          string
	PV, SE                                  string
	Delta, Gamma, Vanna                     string
	Vega, VegaPt, Volga, Rho, RhoBp, DivRho string
	ThetaY, ThetaD                          string
}

type posRow struct {
	TradeID, Instrument, Engine, Underlying, Currency string
	PV, SE, Delta, Gamma, Vanna, Vega, VegaPt, Volga  string
	Rho, RhoBp, ThetaY, ThetaD                        string
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

	// Risk factors: every figure is the sum over the trades of one
	// currency, and each chart, map and table row is of one currency, so
	// that no figure adds two currencies.
	curves, other, err := r.riskCurves(asof)
	if err != nil {
		return nil, err
	}
	// Delta is risk.csv's SPOT rows: with a basket's deltas to its assets,
	// which results.csv's delta (and the gamma beside it) leaves out.
	for _, c := range curves[marketdata.Spot] {
		items := make([]barItem, len(c.ps))
		for i, p := range c.ps {
			items[i] = barItem{p.key.factor.Name(), p.value, p.barSE()}
		}
		v.Delta = append(v.Delta, newBarChart("Delta per underlying, "+in(c.currency), orDash(c.currency)+" per unit of spot (risk.csv's SPOT rows)", items, nil))
	}
	for _, c := range ccys {
		if items := gammaBars[c]; len(items) > 0 {
			v.Gamma = append(v.Gamma, newBarChart("Gamma per underlying, "+in(c), orDash(c)+" per unit of spot² (results.csv, the trades on that underlying)", items, nil))
		}
	}
	v.Rho = ladders(curves[marketdata.Rate], "Rho per pillar of the RATE curve", "per 1.00 of rate", 1e-4, "per bp")
	v.DivRho = ladders(curves[marketdata.DivYield], "Dividend rho per pillar of the DIVYIELD curve", "per 1.00 of yield", 1e-4, "per bp")
	for _, c := range curves[marketdata.Vol] {
		v.Vega = append(v.Vega, vegaMap(c))
	}
	for _, c := range curves[marketdata.Corr] {
		v.Corr = append(v.Corr, corrMap(c))
	}
	for _, p := range other {
		row := factorRow{Key: p.key.factor.String(), Currency: orDash(p.key.currency), Value: num(p.value)}
		if p.hasSE {
			row.SE = num(p.se)
		}
		v.Other = append(v.Other, row)
	}
	if v.Second, err = r.secondViews(asof); err != nil {
		return nil, err
	}
	if r.val.added {
		v.Validation = r.validationView()
	}
	v.Generated = fmt.Sprintf("Written by %s. Figures are rounded to 6 significant digits for reading; the exact figures are those of results.csv and risk.csv.", orDash(m.Version))
	return v, nil
}

// pillar is the portfolio's sensitivity to one risk factor in one
// currency.
type pillar struct {
	key       riskKey
	value, se float64
	hasSE     bool
}

// barSE is the standard error of a bar, −1 for none.
func (p *pillar) barSE() float64 {
	if p.hasSE {
		return p.se
	}
	return -1
}

// curve is the pillars of one curve, surface or matrix in one currency,
// in ladder order.
type curve struct {
	name, currency string
	ps             []pillar
}

// riskCurves sorts the sums per risk factor and currency in risk.csv's
// order and gathers them into curves by kind: one chart of the spots per
// currency, a curve per RATE and DIVYIELD name and currency, a surface
// per VOL name and currency, one correlation matrix per currency. Each
// kind's curves are sorted by name, then currency; HESTON parameters are
// the others, listed as they are.
func (r *Report) riskCurves(asof time.Time) (map[marketdata.Kind][]*curve, []pillar, error) {
	keys := make([]riskKey, 0, len(r.factors))
	for _, f := range r.factors {
		keys = append(keys, f.key)
	}
	sortRisk(keys, asof)
	type curveKey struct {
		kind           marketdata.Kind
		name, currency string
	}
	index := map[curveKey]*curve{}
	curves := map[marketdata.Kind][]*curve{}
	var other []pillar
	for _, k := range keys {
		f := r.factors[k.id()]
		p := pillar{key: k, value: f.sum.value(), se: math.Sqrt(f.se2), hasSE: f.hasSE}
		if !finite(p.value) {
			return nil, nil, fmt.Errorf("reports: risk factor %q in %q: portfolio sensitivity %v (%s): %w", k.factor.String(), k.currency, p.value, f.sum.largest(), errNonFinite)
		}
		kind, name := k.factor.Kind(), k.factor.Name()
		switch kind {
		case marketdata.Spot, marketdata.Corr:
			name = "" // one chart or matrix per currency
		case marketdata.Rate, marketdata.DivYield, marketdata.Vol:
		default:
			other = append(other, p)
			continue
		}
		ck := curveKey{kind, name, k.currency}
		if c := index[ck]; c != nil {
			c.ps = append(c.ps, p)
			continue
		}
		c := &curve{name: name, currency: k.currency, ps: []pillar{p}}
		index[ck] = c
		curves[kind] = append(curves[kind], c)
	}
	// The pillars within each curve stay in ladder order.
	for _, cs := range curves {
		slices.SortFunc(cs, func(a, b *curve) int {
			return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.currency, b.currency))
		})
	}
	return curves, other, nil
}

// in names a currency in a title.
func in(ccy string) string { return "in " + orDash(ccy) }

// ladders draws one bar chart per curve, a bar per pillar, with each
// figure also per perUnit (per times the figure).
func ladders(cs []*curve, title, unit string, per float64, perUnit string) []*barChart {
	var charts []*barChart
	for _, c := range cs {
		items := make([]barItem, len(c.ps))
		for i, p := range c.ps {
			items[i] = barItem{p.key.factor.Pillar(), p.value, p.barSE()}
		}
		charts = append(charts, newBarChart(title+" "+c.name+", "+in(c.currency), orDash(c.currency)+" "+unit, items, &scaled{per, perUnit}))
	}
	return charts
}

// vegaMap is the heat map of a vol surface's vegas: expiry × strike.
func vegaMap(c *curve) *heatMap {
	return surfaceMap(c, "Vega of "+c.name+", "+in(c.currency)+": expiry × strike",
		"cells: "+orDash(c.currency)+" per vol point (÷100 of the figure per 1.00 of vol; hover for both)",
		func(p *pillar) (string, string) {
			tip := fmt.Sprintf("%s, %s: %s per 1.00 of vol, %s per vol point", p.key.factor, in(p.key.currency), num(p.value), num(p.value/100))
			if p.hasSE {
				tip += ", std error " + num(p.se)
			}
			return num(p.value / 100), tip
		})
}

// surfaceMap is the heat map of figures on the nodes of a vol surface:
// expiry × strike, each cell's text and tip given by cell. The expiries
// come in ladder order (time); the strikes of all expiries are put in
// numeric order, a blank strike first.
func surfaceMap(c *curve, title, note string, cell func(p *pillar) (text, tip string)) *heatMap {
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
	for k := range c.ps {
		p := &c.ps[k]
		f := p.key.factor
		i := slices.Index(expiries, f.Pillar())
		j := slices.IndexFunc(strikes, func(k marketdata.Key) bool { return k.Strike() == f.Strike() })
		text, tip := cell(p)
		cells = append(cells, heatCell{Row: i, Col: j, Value: p.value, Text: text, Tip: tip})
	}
	slices.SortFunc(cells, func(a, b heatCell) int { return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(a.Col, b.Col)) })
	return newHeatMap(title, note, "expiry", "strike", expiries, cols, cells)
}

// corrMap is the matrix of one currency's correlation sensitivities, each
// pair's figure in both halves.
func corrMap(c *curve) *heatMap {
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
	return newHeatMap("Correlation sensitivities, "+in(c.currency),
		"cells: "+orDash(c.currency)+" per 1.00 of correlation, ∂pv/∂ρ for the pair (shown in both halves)", "", "", ns, ns, cells)
}

func groupView(name, ccy string, g *group) groupRow {
	row := groupRow{Name: name, Currency: orDash(ccy), Trades: count(g.trades), Failed: count(g.failed)}
	pv, vega, rho, theta := g.pv.value(), g.vega.value(), g.rho.value(), g.theta.value()
	row.PV = num(pv)
	if g.mc > 0 {
		row.SE = num(math.Sqrt(g.se2))
	}
	if g.hasDelta {
		row.Delta, row.Gamma, row.Vanna = num(g.delta.value()), num(g.gamma.value()), num(g.vanna.value())
	}
	row.Vega, row.VegaPt, row.Volga = num(vega), num(vega/100), num(g.volga.value())
	row.Rho, row.RhoBp = num(rho), num(rho/1e4)
	row.DivRho = num(g.divRho.value())
	row.ThetaY, row.ThetaD = num(theta), num(theta/365)
	return row
}

func posView(p *listed) posRow {
	row := posRow{TradeID: p.TradeID, Instrument: p.Instrument, Engine: p.Engine, Underlying: orDash(p.Underlying), Currency: orDash(p.Currency),
		PV: num(p.PV), Vega: num(p.Vega), VegaPt: num(p.Vega / 100), Volga: num(p.Volga), Rho: num(p.Rho), RhoBp: num(p.Rho / 1e4),
		ThetaY: num(p.Theta), ThetaD: num(p.Theta / 365)}
	if p.HasStdError {
		row.SE = num(p.StdError)
	}
	if p.HasDelta {
		row.Delta, row.Gamma, row.Vanna = num(p.Delta), num(p.Gamma), num(p.Vanna)
	}
	if p.HasStdError {
		// A Monte Carlo position's Greeks carry their standard errors.
		pm := func(s *string, se float64) { *s += " ± " + num(se) }
		if p.HasDelta {
			pm(&row.Delta, p.DeltaSE)
			pm(&row.Gamma, p.GammaSE)
			pm(&row.Vanna, p.VannaSE)
		}
		pm(&row.Vega, p.VegaSE)
		pm(&row.VegaPt, p.VegaSE/100)
		pm(&row.Volga, p.VolgaSE)
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
	worst := v.worst.sorted()
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

// secondView is the second-order risk of one currency: the cross-gamma
// matrix of its spots, the vanna map of each spot to the vol surface of
// its underlying, and the other second-order figures.
type secondView struct {
	Currency string
	Cross    *heatMap
	Vanna    []*heatMap
	Other    []secondRow
}

type secondRow struct{ Key, Wrt, Value string }

// secondViews gathers the sums of the second-order figures per currency
// (in byte order), each currency's in risk_second_order.csv's order:
// ∂²pv/∂S_i∂S_j for spots S_i (the risk factor) and S_j (wrt) into the
// cross-gamma matrix, rows and columns the currency's spots in ladder
// order; ∂²pv/∂σ∂S for σ a VOL node of S's underlying into the vanna map
// of S; the others into a table.
func (r *Report) secondViews(asof time.Time) ([]*secondView, error) {
	if len(r.second) == 0 {
		return nil, nil
	}
	keys := make([]secondKey, 0, len(r.second))
	for _, f := range r.second {
		keys = append(keys, f.key)
	}
	sortSecond(keys, asof)
	byCcy := map[string][]secondKey{}
	var ccys []string
	for _, k := range keys {
		if _, ok := byCcy[k.currency]; !ok {
			ccys = append(ccys, k.currency)
		}
		byCcy[k.currency] = append(byCcy[k.currency], k)
	}
	slices.Sort(ccys)
	var views []*secondView
	for _, ccy := range ccys {
		v, err := r.secondView(ccy, byCcy[ccy], asof)
		if err != nil {
			return nil, err
		}
		views = append(views, v)
	}
	return views, nil
}

// secondView draws the second-order figures of one currency, keys in
// risk_second_order.csv's order.
func (r *Report) secondView(ccy string, keys []secondKey, asof time.Time) (*secondView, error) {
	v := &secondView{Currency: orDash(ccy)}
	index := map[marketdata.Key]int{}
	var spots []marketdata.Key
	for _, k := range keys {
		for _, f := range [...]marketdata.Key{k.factor, k.wrt} {
			if _, ok := index[f]; !ok && f.Kind() == marketdata.Spot {
				index[f] = 0
				spots = append(spots, f)
			}
		}
	}
	marketdata.SortKeys(spots, asof)
	names := make([]string, len(spots))
	for i, s := range spots {
		index[s] = i
		names[i] = s.Name()
	}
	var cross []heatCell
	vanna := make([][]pillar, len(spots)) // by the index of wrt
	for _, k := range keys {
		f := r.second[secondID{k.factor.String(), k.wrt.String(), k.currency}]
		value := f.sum.value()
		if !finite(value) {
			return nil, fmt.Errorf("reports: second-order risk %q × %q in %q: portfolio figure %v (%s): %w", k.factor.String(), k.wrt.String(), k.currency, value, f.sum.largest(), errNonFinite)
		}
		j, isSpot := index[k.wrt]
		switch {
		case isSpot && k.factor.Kind() == marketdata.Spot:
			i := index[k.factor]
			tip := fmt.Sprintf("∂²pv/∂%s∂%s, %s: %s per unit of spot²", k.factor, k.wrt, in(ccy), num(value))
			cross = append(cross, heatCell{Row: i, Col: j, Value: value, Text: num(value), Tip: tip})
		case isSpot && k.factor.Kind() == marketdata.Vol && k.factor.Name() == k.wrt.Name():
			vanna[j] = append(vanna[j], pillar{key: riskKey{k.factor, ccy}, value: value})
		default:
			v.Other = append(v.Other, secondRow{Key: k.factor.String(), Wrt: k.wrt.String(), Value: num(value)})
		}
	}
	if len(cross) > 0 {
		slices.SortFunc(cross, func(a, b heatCell) int { return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(a.Col, b.Col)) })
		v.Cross = newHeatMap("Cross-gamma, "+in(ccy)+": spot × spot",
			"cells: "+orDash(ccy)+" per unit of spot² (per unit of the row's spot per unit of the column's), ∂²pv/∂S_row∂S_col: risk_second_order.csv's rows with risk_factor the row's spot and wrt the column's; the diagonal is gamma",
			"risk_factor", "wrt", names, names, cross)
	}
	for j, ps := range vanna {
		if len(ps) == 0 {
			continue
		}
		s := spots[j]
		c := &curve{name: s.Name(), currency: ccy, ps: ps}
		v.Vanna = append(v.Vanna, surfaceMap(c, "Vanna of "+s.Name()+", "+in(ccy)+": expiry × strike",
			"cells: "+orDash(ccy)+" per unit of spot per 1.00 of vol, ∂²pv/∂σ∂S for σ each node of VOL/"+s.Name()+" and S "+s.String()+" (per vol point, ÷100, on hover)",
			func(p *pillar) (string, string) {
				return num(p.value), fmt.Sprintf("∂²pv/∂%s∂%s, %s: %s per unit of spot per 1.00 of vol, %s per vol point",
					p.key.factor, s, in(ccy), num(p.value), num(p.value/100))
			}))
	}
	return v, nil
}
