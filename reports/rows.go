package reports

import (
	"errors"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing"
)

// Rows is one trade's rows of results.csv and sensitivities.csv, formatted
// by Format ahead of Writer.AddRows. The zero value is empty; a Rows keeps
// its memory from one trade to the next, so a worker that reuses one
// formats with no allocation.
type Rows struct {
	set     bool
	ok      bool
	line    int
	tradeID string
	// currency is the trade's, in which its sensitivities are summed.
	currency string
	results  []byte // the row of results.csv
	sens     []byte // the rows of sensitivities.csv
	// factors and values are the trade's sensitivities, for risk.csv.
	factors []marketdata.Key
	values  []float64
	// second are the trade's second-order figures, copied, formatted by
	// Writer.AddRows in the trade's currency.
	second []pricing.SecondOrder
}

// Format formats the rows of r into rw, replacing what rw held; r.Currency
// is the currency its sensitivities are added to risk.csv in. Like
// Writer.Add it refuses a NaN or an infinity in a figure that would be
// written, with an error naming the trade and the field; rw is then empty.
func (rw *Rows) Format(r *pricing.Result) error {
	rw.set = false
	if r == nil {
		return errors.New("reports: nil result")
	}
	if r.Err == nil {
		if err := checkResult(r); err != nil {
			return err
		}
	}
	rw.ok, rw.line, rw.tradeID, rw.currency = r.Err == nil, r.Line, r.TradeID, r.Currency
	rw.factors, rw.values = rw.factors[:0], rw.values[:0]
	rw.second = rw.second[:0]
	if r.Err == nil {
		rw.second = append(rw.second, r.Second...)
	}

	b := appendText(rw.results[:0], r.TradeID)
	idLen := len(b)
	b = append(b, ',')
	b = appendText(b, r.Instrument)
	b = append(b, ',')
	b = appendText(b, r.Engine)
	if r.Err != nil {
		// status, ten blank figures and eight blank standard errors, the
		// message.
		b = append(b, ",error,,,,,,,,,,,,,,,,,,,"...)
		b = appendText(b, r.Err.Error())
		rw.results = append(b, '\n')
		rw.sens = rw.sens[:0]
		rw.set = true
		return nil
	}
	b = append(b, ",ok,"...)
	b = appendNumOK(b, r.PV)
	b = append(b, ',')
	if r.HasStdError {
		b = appendNumOK(b, r.StdError)
	}
	b = append(b, ',')
	if r.HasDelta {
		b = appendNumOK(b, r.Delta)
		b = append(b, ',')
		b = appendNumOK(b, r.Gamma)
	} else {
		b = append(b, ',')
	}
	b = append(b, ',')
	b = appendNumOK(b, r.Vega)
	b = append(b, ',')
	b = appendNumOK(b, r.Rho)
	b = append(b, ',')
	b = appendNumOK(b, r.DivRho)
	b = append(b, ',')
	b = appendNumOK(b, r.Theta)
	b = append(b, ',')
	if r.HasDelta {
		b = appendNumOK(b, r.Vanna)
	}
	b = append(b, ',')
	b = appendNumOK(b, r.Volga)
	for _, e := range [...]struct {
		v   float64
		has bool
	}{
		{r.DeltaStdError, r.HasStdError && r.HasDelta},
		{r.GammaStdError, r.HasStdError && r.HasDelta},
		{r.VegaStdError, r.HasStdError},
		{r.RhoStdError, r.HasStdError},
		{r.DivRhoStdError, r.HasStdError},
		{r.ThetaStdError, r.HasStdError},
		{r.VannaStdError, r.HasStdError && r.HasDelta},
		{r.VolgaStdError, r.HasStdError},
	} {
		b = append(b, ',')
		if e.has {
			b = appendNumOK(b, e.v)
		}
	}
	rw.results = append(b, ",\n"...) // blank error
	id := rw.results[:idLen]

	b = rw.sens[:0]
	for i := range r.Sens {
		s := &r.Sens[i]
		rw.factors = append(rw.factors, s.RiskFactor)
		rw.values = append(rw.values, s.Value)
		b = append(b, id...)
		b = append(b, ',')
		b = appendText(b, s.RiskFactor.String())
		b = append(b, ',')
		b = appendNumOK(b, s.Value)
		b = append(b, ',')
		if s.HasStdError {
			b = appendNumOK(b, s.StdError)
		}
		b = append(b, '\n')
	}
	rw.sens = b
	rw.set = true
	return nil
}

// SetCurrency sets the currency in which Writer.AddRows adds the trade's
// sensitivities to risk.csv, in place of the Result's Currency that
// Format took. It is for a Result read back from results.csv, which has
// no currency: `aadrisk merge` takes it from the portfolio.
func (rw *Rows) SetCurrency(ccy string) { rw.currency = ccy }
