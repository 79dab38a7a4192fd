package bench

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
	"github.com/urfave/cli/v2"
)

// execute runs workload w and prints its results; the error is a cli.Exit
// with status 1 if the server could not be used or any command failed.
func execute(c *cli.Context, w workload, o *options) error {
	// go-redis would log connection failures too; bench reports its own.
	redis.SetLogger(silent{})
	r := newRun(o, c.App.ErrWriter)
	defer r.close()
	fail := func(err error) error { return cli.Exit(fmt.Sprintf("bench %s: %v", w.name, err), 1) }
	if err := r.rdb.Ping(r.ctx).Err(); err != nil {
		return fail(fmt.Errorf("no PONG from %s: %w", o.addr, err))
	}
	rows, err := w.run(r)
	if rows == nil {
		return fail(err)
	}
	var werr error
	switch {
	case o.jsonOut:
		werr = writeJSON(c.App.Writer, rows)
	case o.csvOut:
		werr = writeCSV(c.App.Writer, rows)
	default:
		werr = writeTable(c.App.Writer, settings(c, w, o), rows)
	}
	if werr != nil {
		return fail(fmt.Errorf("writing results: %w", werr))
	}
	if n, first := r.failures(); n > 0 {
		return fail(fmt.Errorf("%d command(s) failed, the first with %w", n, first))
	}
	if err != nil {
		return fail(err)
	}
	return nil
}

// settings describes the run for the table's title line.
func settings(c *cli.Context, w workload, o *options) string {
	total := fmt.Sprint(o.total)
	if o.total == 0 {
		total = "unlimited"
	}
	parts := []string{"sluice bench " + w.name, "--addr " + o.addr, "-n " + total, fmt.Sprint("-d ", o.size)}
	for _, f := range w.flags {
		name := f.Names()[0]
		parts = append(parts, fmt.Sprint("--", name, " ", c.Value(name)))
	}
	return strings.Join(parts, "  ")
}

type silent struct{}

func (silent) Printf(context.Context, string, ...any) {}
