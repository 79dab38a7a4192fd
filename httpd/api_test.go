package httpd_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"sluice/broker"
)

// deadLetters makes n entries of key dead letters of group: MAXDELIVER 1,
// each read once by alice, then claimed by bob.
func deadLetters(t testing.TB, s *server, key, group string, n int) {
	t.Helper()
	ctx := t.Context()
	for i := range n {
		s.do(t, "XADD", key, "*", "order", fmt.Sprint("o-", i), "total", fmt.Sprint(10*i+5))
	}
	s.do(t, "XGROUP", "CREATE", key, group, "0")
	s.do(t, "XGROUP", "CONFIG", key, group, "MAXDELIVER", "1")
	if err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: "alice", Streams: []string{key, ">"}}).Err(); err != nil {
		t.Fatal(err)
	}
	s.do(t, "XAUTOCLAIM", key, group, "bob", "0", "0", "COUNT", fmt.Sprint(n))
	if got := s.rdb.XLen(ctx, key+":dlq").Val(); got != int64(n) {
		t.Fatalf("%d dead letters, want %d", got, n)
	}
}

type streamsPage struct {
	Streams int `json:"streams"`
	Matched int `json:"matched"`
	Totals  struct {
		Lag          int64 `json:"lag"`
		DeadLettered int64 `json:"dead_lettered"`
	} `json:"totals"`
	List []struct {
		Key    string `json:"key"`
		Length int    `json:"length"`
		Groups []struct {
			Name             string `json:"name"`
			Lag              *int64 `json:"lag"`
			Pending          int    `json:"pending"`
			DeadLetterKey    string `json:"dead_letter_key"`
			DeadLetterLength int    `json:"dead_letter_length"`
			DeadLetters      []struct {
				ID     string      `json:"id"`
				Fields [][2]string `json:"fields"`
			} `json:"dead_letters"`
			ConsumerList []struct {
				Name   string `json:"name"`
				IdleMs int64  `json:"idle_ms"`
			} `json:"consumer_list"`
		} `json:"groups"`
	} `json:"list"`
}

// /api/v1/streams pages through the longest streams, searches by name
// ignoring case, shows groups, consumers and the newest dead letters, and
// refuses parameters out of range.
func TestAPIStreams(t *testing.T) {
	s := start(t, broker.Config{})
	for i := range 30 {
		for j := range i + 1 {
			s.do(t, "XADD", fmt.Sprintf("s%02d", i), fmt.Sprintf("%d-1", j+1), "f", "v")
		}
	}
	deadLetters(t, s, "orders", "shipping", 7)
	var p streamsPage
	s.getJSON(t, "/api/v1/streams?limit=5", &p)
	if p.Streams != 32 || p.Matched != 32 || len(p.List) != 5 || p.List[0].Key != "s29" || p.List[4].Key != "s25" {
		t.Fatalf("first page: %+v", p)
	}
	s.getJSON(t, "/api/v1/streams?limit=5&offset=5", &p)
	if len(p.List) != 5 || p.List[0].Key != "s24" {
		t.Fatalf("second page: %+v", p.List)
	}
	s.getJSON(t, "/api/v1/streams?q=ORDERS", &p)
	if p.Matched != 2 || len(p.List) != 2 || p.List[0].Key != "orders" || p.List[1].Key != "orders:dlq" {
		t.Fatalf("search: %+v", p)
	}
	g := p.List[0].Groups[0]
	if g.Name != "shipping" || g.Lag == nil || *g.Lag != 0 || g.Pending != 0 || g.DeadLetterKey != "orders:dlq" ||
		g.DeadLetterLength != 7 || len(g.DeadLetters) != 5 {
		t.Fatalf("group: %+v", g)
	}
	newest := g.DeadLetters[0].Fields
	if newest[0] != [2]string{"order", "o-6"} || !strings.Contains(fmt.Sprint(newest), "dlq-group shipping") {
		t.Fatalf("newest dead letter: %v", newest)
	}
	if len(g.ConsumerList) != 2 || g.ConsumerList[0].Name != "alice" || g.ConsumerList[1].Name != "bob" {
		t.Fatalf("consumers: %+v", g.ConsumerList)
	}
	for _, bad := range []string{"limit=0", "limit=201", "offset=-1", "offset=10001", "limit=x", "q=" + strings.Repeat("a", 257)} {
		if code, body := s.get(t, "/api/v1/streams?"+bad); code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", bad, code, body)
		}
	}
	if code, body := s.get(t, "/api/v1/history?since=0"); code != 200 || !strings.Contains(body, `"points":[`) {
		t.Errorf("history: %d %s", code, body)
	}
}

// The redrive API runs XGROUP REDRIVE as a command: the dead letters go
// back, commandstats counts it, and its errors come back as errors.
func TestRedrive(t *testing.T) {
	s := start(t, broker.Config{})
	deadLetters(t, s, "orders", "shipping", 4)
	redrive := func(body string) (int, string) {
		req, _ := http.NewRequest("POST", s.http+"/api/v1/redrive", strings.NewReader(body))
		req.Header.Set("X-Sluice-Request", "1")
		return send(t, req)
	}
	if code, body := redrive(`{"db":0,"key":"orders","group":"shipping","count":3}`); code != 200 || !strings.Contains(body, `"moved":3`) {
		t.Fatalf("redrive: %d %s", code, body)
	}
	ctx := t.Context()
	if n := s.rdb.XLen(ctx, "orders:dlq").Val(); n != 1 {
		t.Fatalf("%d dead letters left, want 1", n)
	}
	if n := s.rdb.XLen(ctx, "orders").Val(); n != 7 {
		t.Fatalf("orders has %d entries, want 4 + 3 back", n)
	}
	if n := cmdstat(t, s, "xgroup|redrive", "calls"); n != 1 {
		t.Fatalf("commandstats counts %d redrives", n)
	}
	if code, body := redrive(`{"db":0,"key":"orders","group":"nope"}`); code != http.StatusConflict || !strings.Contains(body, "NOGROUP") {
		t.Fatalf("unknown group: %d %s", code, body)
	}
	for _, bad := range []string{`{"db":16,"key":"orders","group":"shipping"}`, `{"key":"","group":"g"}`, `{"key":"k","group":"g","count":-1}`,
		`{"key":"k","group":"g","extra":1}`, `not json`, `{"key":"` + strings.Repeat("k", 5000) + `","group":"g"}`} {
		if code, _ := redrive(bad); code != http.StatusBadRequest {
			t.Errorf("%.40s: %d", bad, code)
		}
	}
}
