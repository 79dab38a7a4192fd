package bench

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// row is one line of results.
type row struct {
	Name    string
	Ops     int64 // commands, entries or messages, as the workload counts them
	Elapsed time.Duration
	Latency *histogram
	Errors  int64
}

// Throughput is ops per second.
func (r row) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}

var percentiles = []struct {
	label string
	q     float64
}{{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99.9", 99.9}}

// latencies are the reported latency columns in ms: percentiles, then max.
func (r row) latencies() []float64 {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	out := make([]float64, 0, len(percentiles)+1)
	for _, p := range percentiles {
		out = append(out, ms(r.Latency.Percentile(p.q)))
	}
	return append(out, ms(r.Latency.Max()))
}

func writeTable(w io.Writer, title string, rows []row) error {
	head := []string{"workload", "ops", "elapsed", "ops/s"}
	for _, p := range percentiles {
		head = append(head, p.label+" ms")
	}
	table := [][]string{append(head, "max ms", "errors")}
	for _, r := range rows {
		cells := []string{r.Name, strconv.FormatInt(r.Ops, 10),
			fmt.Sprintf("%.3fs", r.Elapsed.Seconds()), fmt.Sprintf("%.0f", r.Throughput())}
		for _, l := range r.latencies() {
			cells = append(cells, fmt.Sprintf("%.3f", l))
		}
		table = append(table, append(cells, strconv.FormatInt(r.Errors, 10)))
	}
	widths := make([]int, len(head)+2)
	for _, line := range table {
		for i, cell := range line {
			widths[i] = max(widths[i], len(cell))
		}
	}
	var b strings.Builder
	b.WriteString(title + "\n")
	for _, line := range table {
		// Names left-aligned, numbers right-aligned.
		fmt.Fprintf(&b, "%-*s", widths[0], line[0])
		for i, cell := range line[1:] {
			fmt.Fprintf(&b, "  %*s", widths[i+1], cell)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonRow is the --json form of a row; --csv has the same columns.
type jsonRow struct {
	Workload  string  `json:"workload"`
	Ops       int64   `json:"ops"`
	ElapsedS  float64 `json:"elapsed_s"`
	OpsPerSec float64 `json:"ops_per_sec"`
	P50       float64 `json:"p50_ms"`
	P90       float64 `json:"p90_ms"`
	P99       float64 `json:"p99_ms"`
	P999      float64 `json:"p999_ms"`
	Max       float64 `json:"max_ms"`
	Errors    int64   `json:"errors"`
}

func toJSONRow(r row) jsonRow {
	l := r.latencies()
	return jsonRow{r.Name, r.Ops, r.Elapsed.Seconds(), r.Throughput(), l[0], l[1], l[2], l[3], l[4], r.Errors}
}

func writeJSON(w io.Writer, rows []row) error {
	out := make([]jsonRow, len(rows))
	for i, r := range rows {
		out[i] = toJSONRow(r)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeCSV(w io.Writer, rows []row) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"workload", "ops", "elapsed_s", "ops_per_sec", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "errors"})
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
	for _, r := range rows {
		j := toJSONRow(r)
		cw.Write([]string{j.Workload, strconv.FormatInt(j.Ops, 10), f(j.ElapsedS), f(j.OpsPerSec),
			f(j.P50), f(j.P90), f(j.P99), f(j.P999), f(j.Max), strconv.FormatInt(j.Errors, 10)})
	}
	cw.Flush()
	return cw.Error()
}
