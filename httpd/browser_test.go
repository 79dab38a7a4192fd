package httpd_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/redis/go-redis/v9"

	"sluice/broker"
	"sluice/wal"
)

// chromium finds a Chromium or Chrome binary, "" when there is none.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestPageInBrowser opens the page in headless Chromium against a real
// broker with streams, a lagging group and dead letters, and checks what
// it renders: the stream names, the lag and pending figures, consumers,
// the dead letters' fields; that search by name filters the table; and
// that the redrive button moves the dead letters back. It saves a
// screenshot (to SLUICE_PAGE_PNG if set, as docs/page.png is made, else
// into the test's temporary directory). Skipped without Chromium;
// .ci/run installs it.
func TestPageInBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("no chromium on PATH (apt-get install chromium)")
	}
	s := start(t, broker.Config{Fsync: wal.EverySec})
	ctx := t.Context()
	deadLetters(t, s, "orders", "shipping", 3)
	for i := range 37 {
		s.do(t, "XADD", "orders", "*", "order", fmt.Sprint("o-", 3+i), "total", fmt.Sprint(i))
	}
	s.do(t, "XGROUP", "CREATE", "orders", "billing", "0")
	read := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "billing", Consumer: "invoicer", Streams: []string{"orders", ">"}, Count: 10}).Val()
	for _, m := range read[0].Messages[:4] {
		s.rdb.XAck(ctx, "orders", "billing", m.ID)
	}
	for i := range 12 {
		s.do(t, "XADD", "payments", "*", "amount", fmt.Sprint(i))
	}
	s.do(t, "XGROUP", "CREATE", "payments", "audit", "0")
	shot := os.Getenv("SLUICE_PAGE_PNG")
	if shot != "" {
		// Traffic for the charts to show, running on while the page is shot.
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { defer close(done); traffic(s, stop) }()
		defer func() { close(stop); <-done }()
		time.Sleep(30 * time.Second)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The redrive button asks for confirmation: accept it.
	dialogs := chromedp.Events(bctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	// The first run starts the browser and must have no deadline (it
	// would stop the browser); later steps get one.
	if err := chromedp.Do(bctx, chromedp.Navigate(s.http+"/")); err != nil {
		t.Fatalf("browser: %v", err)
	}
	tctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	if err := chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS(`tr.group[data-group="audit"] td.lag`))); err != nil {
		t.Fatalf("the page never showed the groups: %v", err)
	}
	// The second poll, two seconds on, fills in the produce rates.
	if _, err := chromedp.Run(tctx, chromedp.Poll[chromedp.Void](`document.querySelector('tr.stream td.rate')?.textContent !== '…'`)); err != nil {
		t.Fatalf("the page never showed a produce rate: %v", err)
	}
	png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if shot == "" {
		shot = filepath.Join(t.TempDir(), "page.png")
	}
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))

	names := text(`#streams tbody`)
	for _, name := range []string{"orders", "payments", "orders:dlq"} {
		if !strings.Contains(names, name) {
			t.Errorf("the page does not show stream %q:\n%s", name, names)
		}
	}
	// billing read 10 of 40 and acked 4; shipping read the first 3, all
	// dead-lettered; audit read nothing of 12.
	for _, c := range []struct{ what, sel, want string }{
		{"billing lag", `tr.group[data-group="billing"] td.lag`, "30"},
		{"billing pending", `tr.group[data-group="billing"] td.pending`, "6"},
		{"shipping lag", `tr.group[data-group="shipping"] td.lag`, "37"},
		{"audit lag", `tr.group[data-group="audit"] td.lag`, "12"},
		{"dead-letter depth", `.dlq[data-key="orders:dlq"] .depth`, "3 in the stream"},
	} {
		if got := strings.TrimSpace(text(c.sel)); got != c.want {
			t.Errorf("%s: the page shows %q, want %q", c.what, got, c.want)
		}
	}
	if consumers := text(`tr.group[data-group="shipping"] td.consumers`); !strings.Contains(consumers, "alice") || !strings.Contains(consumers, "bob") {
		t.Errorf("consumers of shipping: %q", consumers)
	}
	dead := text(`.dlq[data-key="orders:dlq"] ol`)
	for _, want := range []string{"order=o-0", "order=o-2", "total=25", "dlq-group=shipping", "dlq-source-key=orders", "dlq-consumer=alice"} {
		if !strings.Contains(dead, want) {
			t.Errorf("dead letters lack %q:\n%s", want, dead)
		}
	}

	// Search by name, then the redrive button.
	err = chromedp.Do(tctx,
		chromedp.SendKeys(chromedp.CSS(`#q`), "PAY"),
		chromedp.WaitNotPresent(chromedp.CSS(`tr.stream[data-key="orders"]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr.stream[data-key="payments"]`)),
		// Retype the search (SetValue refuses a search input).
		chromedp.Evaluate[chromedp.Void](`(() => { const q = document.querySelector('#q'); q.value = 'orders';
			q.dispatchEvent(new Event('input')); })()`),
		chromedp.WaitVisible(chromedp.CSS(`.dlq[data-key="orders:dlq"] button.redrive`)),
		chromedp.Click(chromedp.CSS(`.dlq[data-key="orders:dlq"] button.redrive`)),
	)
	if err != nil {
		t.Fatalf("search and redrive: %v", err)
	}
	if _, err := chromedp.Run(tctx, chromedp.Poll[chromedp.Void](
		`document.querySelector('.dlq[data-key="orders:dlq"] .depth')?.textContent === "0 in the stream"`)); err != nil {
		t.Fatalf("the page never showed the dead letters gone: %v", err)
	}
	if n := s.rdb.XLen(ctx, "orders:dlq").Val(); n != 0 {
		t.Errorf("%d dead letters left after the redrive button", n)
	}
	if n := s.rdb.XLen(ctx, "orders").Val(); n != 43 {
		t.Errorf("orders has %d entries after the redrive, want 40 + 3", n)
	}
}

// traffic produces to "events" and consumes with its group "indexer",
// which falls behind, until stop is closed.
func traffic(s *server, stop <-chan struct{}) {
	ctx := context.Background()
	s.rdb.XGroupCreateMkStream(ctx, "events", "indexer", "$")
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-time.After(100 * time.Millisecond):
		}
		pipe := s.rdb.Pipeline()
		for j := range 20 + i%15 {
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: "events", Values: []any{"kind", "click", "n", j}})
		}
		pipe.Exec(ctx)
		res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "indexer", Consumer: "worker-1",
			Streams: []string{"events", ">"}, Count: 25}).Result()
		if err != nil {
			continue
		}
		for _, m := range res[0].Messages {
			s.rdb.XAck(ctx, "events", "indexer", m.ID)
		}
	}
}
