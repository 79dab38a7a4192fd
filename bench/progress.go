package bench

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/term"
)

// showProgress reports r.done against total (0: open-ended) on stderr until
// the returned stop is called: one line rewritten in place on a terminal,
// else a plain line a second. --quiet shows nothing.
func (r *run) showProgress(label string, total int64) (stop func()) {
	if r.opt.quiet {
		return func() {}
	}
	f, ok := r.stderr.(*os.File)
	tty := ok && term.IsTerminal(int(f.Fd()))
	every := time.Second
	if tty {
		every = 200 * time.Millisecond
	}
	quit, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		tick := time.NewTicker(every)
		defer tick.Stop()
		start, last, lastDone := time.Now(), time.Now(), int64(0)
		for {
			select {
			case <-quit:
				if tty {
					fmt.Fprint(r.stderr, "\r\x1b[K")
				}
				return
			case now := <-tick.C:
				done := r.done.Load()
				line := label + ": " + strconv.FormatInt(done, 10)
				if total > 0 {
					line += "/" + strconv.FormatInt(total, 10)
				}
				rate := float64(done-lastDone) / now.Sub(last).Seconds()
				line += fmt.Sprintf("  %.0f/s  %.1fs", rate, now.Sub(start).Seconds())
				last, lastDone = now, done
				if tty {
					fmt.Fprint(r.stderr, "\r"+line+"\x1b[K")
				} else {
					fmt.Fprintln(r.stderr, line)
				}
			}
		}
	}()
	return func() {
		close(quit)
		<-exited
	}
}
