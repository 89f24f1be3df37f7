package closedform

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

// The published values of testdata/reference, each to its row's tol.

// rowParams reads spot, strike, t, r, q, vol of a reference row.
func rowParams(t *testing.T, row map[string]string) []float64 {
	return []float64{num(t, row, "spot"), num(t, row, "strike"), num(t, row, "t"), num(t, row, "r"), num(t, row, "q"), num(t, row, "vol")}
}

func isCall(t *testing.T, row map[string]string) bool {
	switch row["option_type"] {
	case "Call":
		return true
	case "Put":
		return false
	}
	t.Fatalf("option_type %q", row["option_type"])
	return false
}

func TestReferenceEuropean(t *testing.T) {
	for i, row := range table(t, "european_haug_values.csv") {
		require.Equal(t, "NPV", row["measure"])
		x := rowParams(t, row)
		call := isCall(t, row)
		got := value(t, func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return checked(European(tp, typeOf(call), params(in)))
		}, x)
		testutil.Near(t, got, num(t, row, "expected"), 0, num(t, row, "tol"), "row %d %v %s: got %v, want %s", i+1, x, row["option_type"], got, row["expected"])
	}
}

func TestReferenceEuropeanGreeks(t *testing.T) {
	for i, row := range table(t, "european_haug_greeks.csv") {
		x := rowParams(t, row)
		call := isCall(t, row)
		f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return checked(European(tp, typeOf(call), params(in)))
		}
		v, g := aadGradient(t, f, x)
		var got float64
		switch m := row["measure"]; m {
		case "delta":
			got = g[0]
		case "elasticity":
			got = g[0] * x[0] / v
		case "gamma": // central difference of the AAD delta
			h := 1e-4 * x[0]
			up, down := append([]float64(nil), x...), append([]float64(nil), x...)
			up[0] += h
			down[0] -= h
			_, gu := aadGradient(t, f, up)
			_, gd := aadGradient(t, f, down)
			got = (gu[0] - gd[0]) / (2 * h)
		case "vega":
			got = g[5]
		case "theta":
			got = -g[2]
		case "thetaPerDay":
			got = -g[2] / 365
		case "rho":
			got = g[3]
		case "dividendRho":
			got = g[4]
		default:
			t.Fatalf("measure %q", m)
		}
		testutil.Near(t, got, num(t, row, "expected"), 0, num(t, row, "tol"), "row %d %s %s: got %v, want %s", i+1, row["option_type"], row["measure"], got, row["expected"])
	}
}

func TestReferenceDigital(t *testing.T) {
	rows := table(t, "digital_haug_values.csv")
	require.Len(t, rows, 2)
	for i, row := range rows {
		x := rowParams(t, row)
		call := isCall(t, row)
		var f pricer
		switch row["digital_kind"] {
		case "cash_or_nothing":
			cash := num(t, row, "cash_amount")
			f = func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(DigitalCash(tp, typeOf(call), params(in), cash))
			}
		case "asset_or_nothing":
			f = func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(DigitalAsset(tp, typeOf(call), params(in)))
			}
		default:
			t.Fatalf("digital_kind %q", row["digital_kind"])
		}
		got := value(t, f, x)
		testutil.Near(t, got, num(t, row, "expected"), 0, num(t, row, "tol"), "row %d %s: got %v, want %s", i+1, row["digital_kind"], got, row["expected"])
	}
}

func barrierKind(t *testing.T, s string) BarrierKind {
	switch s {
	case "DownIn":
		return DownIn
	case "DownOut":
		return DownOut
	case "UpIn":
		return UpIn
	case "UpOut":
		return UpOut
	}
	t.Fatalf("barrier_type %q", s)
	return 0
}

func TestReferenceBarrier(t *testing.T) {
	rows := append(table(t, "barrier_haug_values.csv"), table(t, "barrier_journal_values.csv")...)
	require.Len(t, rows, 72+11)
	for i, row := range rows {
		if e, ok := row["exercise"]; ok {
			require.Equal(t, "european", e)
		}
		x := append(rowParams(t, row), num(t, row, "barrier"), num(t, row, "rebate"))
		call, kind := isCall(t, row), barrierKind(t, row["barrier_type"])
		got, err := Barrier(nil, typeOf(call), kind, params(consts(x)), aad.Const(x[6]), aad.Const(x[7]))
		if x[0] == x[6] {
			// Spot on the barrier: Barrier reports the breach; the book gives
			// the value of what the option has become, the vanilla for a
			// knock-in, the rebate (paid now) for a knock-out.
			require.ErrorIs(t, err, ErrBarrierBreached, "row %d", i+1)
			want := x[7]
			if kind.In() {
				euro, err := checked(European(nil, typeOf(call), params(consts(x))))
				require.NoError(t, err)
				want = euro.Value()
			}
			testutil.Near(t, want, num(t, row, "expected"), 0, num(t, row, "tol"), "row %d: spot on the barrier", i+1)
			continue
		}
		require.NoError(t, err, "row %d", i+1)
		testutil.Near(t, got.Value(), num(t, row, "expected"), 0, num(t, row, "tol"), "row %d %s %s K=%v H=%v vol=%v: got %v, want %s", i+1, row["barrier_type"], row["option_type"], x[1], x[6], x[5], got.Value(), row["expected"])
	}
}

func TestReferenceAmerican(t *testing.T) {
	rows := table(t, "american_baw_haug.csv")
	require.Len(t, rows, 37)
	for i, row := range rows {
		x := rowParams(t, row)
		call := isCall(t, row)
		got := value(t, func(tp *aad.Tape, in []aad.Number) (aad.Number, error) { return American(tp, typeOf(call), params(in)) }, x)
		testutil.Near(t, got, num(t, row, "expected"), 0, num(t, row, "tol"), "row %d %s %v: got %v, want %s", i+1, row["option_type"], x, got, row["expected"])
	}
}

func TestReferenceAsian(t *testing.T) {
	rows := table(t, "asian_geometric_closed_form.csv")
	require.Len(t, rows, 2)
	for i, row := range rows {
		x := rowParams(t, row)
		call := isCall(t, row)
		var got aad.Number
		var err error
		switch row["monitoring"] {
		case "continuous":
			got, err = checked(GeometricAsianContinuous(nil, typeOf(call), params(consts(x))))
		case "discrete":
			// Equally spaced fixings, the first after one period, the last at t
			// (the days of the schedule over Actual/360).
			require.True(t, strings.HasPrefix(row["strike_kind"], "fixed"))
			n := int(num(t, row, "n_fixings"))
			days := num(t, row, "t_days_act360")
			fix := make([]aad.Number, n)
			for j := range fix {
				fix[j] = aad.Const(float64(j+1) * days / float64(n) / 360)
			}
			got, err = checked(GeometricAsianDiscrete(nil, typeOf(call), params(consts(x)), fix))
		default:
			t.Fatalf("monitoring %q", row["monitoring"])
		}
		require.NoError(t, err)
		testutil.Near(t, got.Value(), num(t, row, "expected"), 0, num(t, row, "tol"), "row %d %s: got %v, want %s", i+1, row["monitoring"], got.Value(), row["expected"])
	}
}
