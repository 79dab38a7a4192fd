package httpd_test

import (
	"net/http"
	"strings"
	"testing"

	"sluice/broker"
)

// With requirepass, every path but /healthz asks for it (user default),
// a wrong user or password is refused, and CONFIG SET requirepass changes
// it at once.
func TestAuth(t *testing.T) {
	s := start(t, broker.Config{RequirePass: "s3cret"})
	paths := []string{"/readyz", "/metrics", "/", "/static/app.js", "/api/v1/overview", "/api/v1/streams", "/api/v1/history"}
	try := func(path, user, pass string) int {
		req, _ := http.NewRequest("GET", s.http+path, nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		code, _ := send(t, req)
		return code
	}
	if code := try("/healthz", "", ""); code != 200 {
		t.Fatalf("/healthz without a password: %d", code)
	}
	for _, p := range paths {
		for _, c := range []struct{ user, pass string }{{"", ""}, {"default", "wrong"}, {"admin", "s3cret"}, {"default", "s3cret "}} {
			if code := try(p, c.user, c.pass); code != http.StatusUnauthorized {
				t.Errorf("%s as %q/%q: %d, want 401", p, c.user, c.pass, code)
			}
		}
		if code := try(p, "default", "s3cret"); code != 200 {
			t.Errorf("%s with the password: %d", p, code)
		}
	}
	req, _ := http.NewRequest("GET", s.http+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if h := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Basic ") {
		t.Errorf("401 without a Basic challenge: %q", h)
	}
	s.do(t, "CONFIG", "SET", "requirepass", "n3w")
	if try("/metrics", "default", "s3cret") != http.StatusUnauthorized || try("/metrics", "default", "n3w") != 200 {
		t.Error("CONFIG SET requirepass did not change the HTTP password")
	}
	s.do(t, "CONFIG", "SET", "requirepass", "")
	if try("/metrics", "", "") != 200 {
		t.Error("no password asked once requirepass is empty")
	}
}

// The redrive POST needs the password like everything else, and is
// refused without the page's custom header or from another origin.
func TestRedriveAuthAndCSRF(t *testing.T) {
	s := start(t, broker.Config{RequirePass: "pw"})
	deadLetters(t, s, "orders", "shipping", 3)
	post := func(auth bool, headers ...string) (int, string) {
		req, _ := http.NewRequest("POST", s.http+"/api/v1/redrive", strings.NewReader(`{"db":0,"key":"orders","group":"shipping"}`))
		req.Header.Set("Content-Type", "application/json")
		if auth {
			req.SetBasicAuth("default", "pw")
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		return send(t, req)
	}
	if code, _ := post(false, "X-Sluice-Request", "1"); code != http.StatusUnauthorized {
		t.Errorf("without the password: %d", code)
	}
	if code, _ := post(true); code != http.StatusForbidden {
		t.Errorf("without the custom header: %d", code)
	}
	if code, _ := post(true, "X-Sluice-Request", "1", "Origin", "http://evil.example"); code != http.StatusForbidden {
		t.Errorf("from another origin: %d", code)
	}
	if code, _ := post(true, "X-Sluice-Request", "1", "Sec-Fetch-Site", "cross-site"); code != http.StatusForbidden {
		t.Errorf("cross-site: %d", code)
	}
	if n := s.rdb.XLen(t.Context(), "orders:dlq").Val(); n != 3 {
		t.Fatalf("a refused redrive moved something: %d dead letters left", n)
	}
	code, body := post(true, "X-Sluice-Request", "1", "Origin", s.http)
	if code != 200 || !strings.Contains(body, `"moved":3`) {
		t.Fatalf("same origin: %d %s", code, body)
	}
}
