package httpd

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"sluice/kernel"
)

// The page's one write: the redrive button of a dead-letter stream runs
// XGROUP REDRIVE key group COUNT n. It goes through Engine.Exec as a
// client's command does, so it is checked, counted in commandstats,
// logged as its effects and refused as any write is (MISCONF, OOM), and
// its reply waits until the log holds it.
const (
	maxRedriveBody  = 4 << 10
	maxRedriveCount = 10_000
	// csrfHeader must be on every POST: a page of another site cannot set
	// a custom header on a cross-origin request without a CORS preflight,
	// which this server never grants, so a forged form or image cannot
	// redrive. Origin, when the browser sends it, must be this server too.
	csrfHeader = "X-Sluice-Request"
)

type redriveRequest struct {
	DB    int    `json:"db"`
	Key   string `json:"key"`
	Group string `json:"group"`
	Count int    `json:"count"` // 0: XGROUP REDRIVE's default, 100
}

// POST /api/v1/redrive {"db":0,"key":"orders","group":"shipping","count":100}
// answers {"moved": n}, or {"error": "..."} with the command's error.
func (s *Server) apiRedrive(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "cross-site request refused: send "+csrfHeader+" from this origin", http.StatusForbidden)
		return
	}
	var req redriveRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRedriveBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "body: "+err.Error(), http.StatusBadRequest)
		return
	}
	eng := s.cfg.Engine
	switch {
	case req.DB < 0 || req.DB >= eng.NumDBs():
		http.Error(w, "db out of range", http.StatusBadRequest)
		return
	case req.Key == "" || req.Group == "":
		http.Error(w, "key and group are required", http.StatusBadRequest)
		return
	case req.Count < 0 || req.Count > maxRedriveCount:
		http.Error(w, "count: 0 to "+strconv.Itoa(maxRedriveCount), http.StatusBadRequest)
		return
	}
	args := [][]byte{[]byte("XGROUP"), []byte("REDRIVE"), []byte(req.Key), []byte(req.Group)}
	if req.Count > 0 {
		args = append(args, []byte("COUNT"), []byte(strconv.Itoa(req.Count)))
	}
	cmd, msg := eng.Commands().Check(args)
	if cmd == nil {
		eng.CountError(nil, msg)
		writeStatusJSON(w, http.StatusConflict, map[string]string{"error": msg})
		return
	}
	cl := eng.NewClient()
	cl.DB = req.DB
	var rep replyInt
	lsn, _ := eng.Exec(cl, cmd, args, &rep) // REDRIVE never blocks
	eng.ServeReady()                        // readers blocked on the stream get the entries
	if s.cfg.Durable != nil && lsn > 0 {
		if err := s.cfg.Durable(lsn); err != nil {
			writeStatusJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
			return
		}
	}
	if rep.err != "" {
		writeStatusJSON(w, http.StatusConflict, map[string]string{"error": rep.err})
		return
	}
	s.log.Info("redrive from the web page", "db", req.DB, "key", req.Key, "group", req.Group, "moved", rep.n,
		"remote", r.RemoteAddr)
	writeJSON(w, map[string]int64{"moved": rep.n})
}

// sameOrigin reports whether a POST comes from this server's own page:
// it carries the custom header, and the browser's Origin (or, failing
// that, Sec-Fetch-Site) names this server.
func sameOrigin(r *http.Request) bool {
	if r.Header.Get(csrfHeader) == "" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		return err == nil && u.Host == r.Host
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return true
	}
	return false
}

func writeStatusJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// replyInt keeps an integer reply or an error.
type replyInt struct {
	kernel.Discard
	n   int64
	err string
}

func (r *replyInt) Int(n int64)    { r.n = n }
func (r *replyInt) Error(s string) { r.err = s }
