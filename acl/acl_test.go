package acl

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testCatalog is a small command table: ids are positions.
func testCatalog() *Catalog {
	return NewCatalog([]Command{
		{Name: "get", Categories: []string{"read", "string", "fast"}, Parent: -1},                          // 0
		{Name: "set", Categories: []string{"write", "string", "slow"}, Parent: -1},                         // 1
		{Name: "xadd", Categories: []string{"write", "stream", "fast"}, Parent: -1},                        // 2
		{Name: "xreadgroup", Categories: []string{"write", "stream", "slow", "blocking"}, Parent: -1},      // 3
		{Name: "auth", Categories: []string{"fast", "connection"}, NoAuth: true, Parent: -1},               // 4
		{Name: "client", Categories: []string{"slow"}, Parent: -1, Subs: []int{6, 7}},                      // 5
		{Name: "client|kill", Categories: []string{"admin", "slow", "dangerous", "connection"}, Parent: 5}, // 6
		{Name: "client|id", Categories: []string{"slow", "connection"}, Parent: 5},                         // 7
		{Name: "select", Categories: []string{"fast", "connection"}, Parent: -1},                           // 8
	})
}

func mustSet(t *testing.T, a *ACL, name string, rules ...string) {
	t.Helper()
	if err := a.SetUser(name, rules); err != nil {
		t.Fatal(err)
	}
}

func describe(a *ACL, name string) string { return a.Users().Get(name).Describe() }

func TestDefaultAndNewUsers(t *testing.T) {
	a := New(testCatalog(), "")
	if got := describe(a, "default"); got != "on nopass sanitize-payload ~* &* +@all" {
		t.Fatalf("default: %q", got)
	}
	mustSet(t, a, "alice")
	if got := describe(a, "alice"); got != "off sanitize-payload resetchannels -@all" {
		t.Fatalf("new user: %q", got)
	}
	if !reflect.DeepEqual(a.Users().Names(), []string{"alice", "default"}) {
		t.Fatalf("names %v", a.Users().Names())
	}
}

func TestRules(t *testing.T) {
	hash := hashPassword("p2")
	cases := []struct {
		rules []string
		want  string
	}{
		{[]string{"on", ">p1", "#" + hash, "~orders:*", "%R~logs:*", "%W~out:*", "+xadd", "+@read"},
			"on sanitize-payload #" + hashPassword("p1") + " #" + hash + " ~orders:* %R~logs:* %W~out:* resetchannels -@all +xadd +@read"},
		{[]string{"on", ">p1", "<p1", "nopass"}, "on nopass sanitize-payload resetchannels -@all"},
		{[]string{">p1", "resetpass"}, "off sanitize-payload resetchannels -@all"},
		{[]string{"allkeys", "allchannels", "allcommands", "-client|kill"}, "off sanitize-payload ~* &* +@all -client|kill"},
		{[]string{"~a", "resetkeys", "%RW~b", "%r~b", "+@all", "nocommands", "+client", "-client|kill"}, "off sanitize-payload ~b resetchannels -@all +client -client|kill"},
		// A later rule for a command replaces an earlier one, and one for a
		// command replaces those for its subcommands.
		{[]string{"+get", "+set", "-get", "+client|id", "+client"}, "off sanitize-payload resetchannels -@all +set -get +client"},
		{[]string{"+@write", "-@write", "&chan:*", "skip-sanitize-payload"}, "off skip-sanitize-payload resetchannels &chan:* -@all -@write"},
		{[]string{"on", "+@all", "~*", "(~x:* +get)", "(%R~y +@read -get)"}, "on sanitize-payload ~* resetchannels +@all (~x:* resetchannels -@all +get) (%R~y resetchannels -@all +@read -get)"},
		{[]string{"on", "(~x +get)", "clearselectors", "reset"}, "off sanitize-payload resetchannels -@all"},
		{[]string{"on", "(~x", "+get", "+set)"}, "on sanitize-payload resetchannels -@all (~x resetchannels -@all +get +set)"},
		{[]string{"ON", "", "+GET"}, "on sanitize-payload resetchannels -@all +get"},
	}
	for _, tc := range cases {
		a := New(testCatalog(), "")
		mustSet(t, a, "u", tc.rules...)
		got := describe(a, "u")
		if got != tc.want {
			t.Errorf("%q:\n got %q\nwant %q", tc.rules, got, tc.want)
		}
		// What is described is what the rules give back.
		b := New(testCatalog(), "")
		mustSet(t, b, "u", strings.Fields(got)...)
		if again := describe(b, "u"); again != got {
			t.Errorf("%q does not round-trip: %q", got, again)
		}
	}
}

func TestRuleErrors(t *testing.T) {
	a := New(testCatalog(), "")
	mustSet(t, a, "u", "on", ">secret", "~k", "+get")
	before := describe(a, "u")
	cases := map[string]string{
		"+nosuch":        "Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL",
		"-@nosuch":       "Error in ACL SETUSER modifier '-@nosuch': Unknown command or category name in ACL",
		"bogus":          "Error in ACL SETUSER modifier 'bogus': Syntax error",
		"%X~k":           "Error in ACL SETUSER modifier '%X~k': Syntax error",
		"<nope":          "Error in ACL SETUSER modifier '<nope': The password you are trying to remove from the user does not exist",
		"#abc":           "Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
		"+client|kill|x": "Error in ACL SETUSER modifier '+client|kill|x': Allowing first-arg of a subcommand is not supported",
		"+client|":       "Error in ACL SETUSER modifier '+client|': Syntax error",
		"+select|0":      "Error in ACL SETUSER modifier '+select|0': Allowing first-arg of a command is not supported by sluice",
		"+client|nosuch": "Error in ACL SETUSER modifier '+client|nosuch': Unknown command or category name in ACL",
	}
	for rule, want := range cases {
		// The valid rules before the bad one do not apply either.
		err := a.SetUser("u", []string{"off", "+set", rule})
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", rule, err, want)
		}
		if got := describe(a, "u"); got != before {
			t.Fatalf("%s changed the user: %q", rule, got)
		}
	}
	if err := a.SetUser("u", []string{"allkeys", "~x"}); err == nil || !strings.HasSuffix(err.Error(), "Try 'resetkeys' to start with an empty list of patterns") {
		t.Errorf("pattern after allkeys: %v", err)
	}
	if err := a.SetUser("u u", nil); err != ErrUsername {
		t.Errorf("username with a space: %v", err)
	}
	if err := a.SetUser("u", []string{"(~x", "+get"}); err == nil || err.Error() != "Unmatched parenthesis in acl selector starting at '(~x'." {
		t.Errorf("unmatched: %v", err)
	}
	if _, err := a.DelUser([]string{"u", "default"}); err != ErrDeleteDefault {
		t.Errorf("delete default: %v", err)
	}
	if gone, err := a.DelUser([]string{"u", "nobody", "u"}); err != nil || !reflect.DeepEqual(gone, []string{"u"}) {
		t.Errorf("delete: %v %v", gone, err)
	}
}

func TestAuthenticate(t *testing.T) {
	a := New(testCatalog(), "")
	if a.Authenticate("default", "anything") == nil {
		t.Fatal("nopass default refused")
	}
	a.SetDefaultPassword("s3cret")
	if a.Authenticate("default", "anything") != nil || a.Authenticate("default", "s3cret") == nil {
		t.Fatal("requirepass not applied")
	}
	if got := describe(a, "default"); got != "on sanitize-payload #"+hashPassword("s3cret")+" ~* &* +@all" {
		t.Fatalf("default: %q", got)
	}
	mustSet(t, a, "bob", ">a", ">b")
	if a.Authenticate("bob", "a") != nil {
		t.Fatal("a user that is off authenticated")
	}
	mustSet(t, a, "bob", "on")
	if a.Authenticate("bob", "b") == nil || a.Authenticate("bob", "c") != nil || a.Authenticate("nobody", "") != nil {
		t.Fatal("passwords")
	}
	a.SetDefaultPassword("")
	if got := describe(a, "default"); got != "on nopass sanitize-payload ~* &* +@all" {
		t.Fatalf("default back to nopass: %q", got)
	}
}

func TestCheck(t *testing.T) {
	cat := testCatalog()
	a := New(cat, "")
	mustSet(t, a, "producer", "on", "~orders:*", "+xadd")
	mustSet(t, a, "reader", "on", "%R~logs:*", "%W~out:*", "+@read", "+xadd", "+client|id",
		"(~orders:* +xreadgroup)")
	check := func(user string, id int, keys ...KeyRef) (Denial, int) {
		return a.Users().Get(user).Check(cat, id, keys)
	}
	w := func(pos int, key string) KeyRef { return KeyRef{Pos: pos, Key: []byte(key), Perm: Write} }
	r := func(pos int, key string) KeyRef { return KeyRef{Pos: pos, Key: []byte(key), Perm: Read} }
	for _, tc := range []struct {
		user string
		id   int
		keys []KeyRef
		d    Denial
		pos  int
	}{
		{"producer", 2, []KeyRef{w(1, "orders:1")}, Allowed, 0},
		{"producer", 2, []KeyRef{w(1, "other")}, DeniedKey, 1},
		{"producer", 1, []KeyRef{w(1, "orders:1")}, DeniedCommand, 0},
		{"producer", 4, nil, Allowed, 0}, // AUTH is always allowed
		{"producer", 5, nil, DeniedCommand, 0},
		{"reader", 0, []KeyRef{r(1, "logs:a")}, Allowed, 0},
		{"reader", 0, []KeyRef{r(1, "out:a")}, DeniedKey, 1},  // %W~ does not read
		{"reader", 2, []KeyRef{w(1, "logs:a")}, DeniedKey, 1}, // %R~ does not write
		{"reader", 2, []KeyRef{w(1, "out:a")}, Allowed, 0},
		{"reader", 7, nil, Allowed, 0},
		{"reader", 6, nil, DeniedCommand, 0},
		// The selector allows XREADGROUP; every key must match.
		{"reader", 3, []KeyRef{w(5, "orders:a"), w(6, "orders:b")}, Allowed, 0},
		{"reader", 3, []KeyRef{w(5, "orders:a"), w(6, "logs:b")}, DeniedKey, 6},
		{"default", 6, []KeyRef{w(1, "anything")}, Allowed, 0},
	} {
		d, pos := check(tc.user, tc.id, tc.keys...)
		if d != tc.d || pos != tc.pos {
			t.Errorf("%s %s %v: %v at %d, want %v at %d", tc.user, cat.Command(tc.id).Name, tc.keys, d, pos, tc.d, tc.pos)
		}
	}
	if !a.Users().Default().Unrestricted() || a.Users().Get("producer").Unrestricted() {
		t.Fatal("Unrestricted")
	}
}

// A connection keeps the snapshot it read: changes publish a new one.
func TestSnapshots(t *testing.T) {
	a := New(testCatalog(), "")
	mustSet(t, a, "u", "on", "+get")
	old := a.Users()
	mustSet(t, a, "u", "-get")
	if d, _ := old.Get("u").Check(a.Catalog(), 0, nil); d != Allowed {
		t.Fatal("an old snapshot changed")
	}
	if d, _ := a.Users().Get("u").Check(a.Catalog(), 0, nil); d != DeniedCommand {
		t.Fatal("the change is not seen")
	}
}

func TestFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "users.acl")
	a := New(testCatalog(), file)
	if _, err := a.Load(); err == nil || err.Error() != "Error loading ACLs, opening file '"+file+"': No such file or directory" {
		t.Fatalf("missing file: %v", err)
	}
	mustSet(t, a, "producer", "on", ">pw", "~orders:*", "+xadd")
	mustSet(t, a, "consumer", "on", "#"+hashPassword("c"), "%R~orders:*", "+@read", "(~orders:* +xreadgroup)")
	a.SetDefaultPassword("admin")
	if err := a.Save(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	if got, want := string(data), strings.Join(a.Users().List(), "\n")+"\n"; got != want {
		t.Fatalf("file:\n%s\nwant:\n%s", got, want)
	}
	b := New(testCatalog(), file)
	mustSet(t, b, "gone", "on")
	removed, err := b.Load()
	if err != nil || !reflect.DeepEqual(removed, []string{"gone"}) {
		t.Fatalf("load: %v, removed %v", err, removed)
	}
	if !reflect.DeepEqual(b.Users().List(), a.Users().List()) {
		t.Fatalf("loaded:\n%q\nsaved:\n%q", b.Users().List(), a.Users().List())
	}
	if b.Authenticate("producer", "pw") == nil || b.Authenticate("default", "admin") == nil {
		t.Fatal("passwords lost")
	}
	// No default user in the file: Redis's default.
	os.WriteFile(file, []byte("user x on nopass +get\n\n"), 0o644)
	if _, err := b.Load(); err != nil || describe(b, "default") != "on nopass sanitize-payload ~* &* +@all" || b.Users().Get("producer") != nil {
		t.Fatalf("load without default: %v, %q", err, b.Users().List())
	}
}

func TestFileErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "users.acl")
	a := New(testCatalog(), file)
	mustSet(t, a, "keep", "on")
	os.WriteFile(file, []byte("user ok on +get\nusr bad\nuser dup on\nuser dup off\nuser x +nosuch bogus +nosuch2 also-bogus\n"), 0o644)
	_, err := a.Load()
	want := file + ":2 should start with user keyword followed by the username. " +
		"WARNING: Duplicate user 'dup' found on line 4. " +
		file + ":5: Error in applying operation '+nosuch': Unknown command or category name in ACL. " +
		file + ":5: Syntax error. " +
		file + ":5: Error in applying operation '+nosuch2': Unknown command or category name in ACL. " +
		"WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
	if a.Users().Get("keep") == nil || a.Users().Get("ok") != nil {
		t.Fatal("a failed load changed the users")
	}
	if err := New(testCatalog(), "").Save(); err != ErrNoFile {
		t.Fatalf("save without a file: %v", err)
	}
}

func TestLog(t *testing.T) {
	l := newLog()
	now := time.Unix(1000, 0)
	l.Add(ReasonCommand, ContextTopLevel, "set", "u", "id=1", now)
	l.Add(ReasonKey, ContextTopLevel, "k", "u", "id=1", now)
	l.Add(ReasonCommand, ContextTopLevel, "set", "u", "id=2", now.Add(time.Second))
	e := l.Entries(10)
	if len(e) != 2 || e[0].Object != "set" || e[0].Count != 2 || e[0].ClientInfo != "id=2" || e[0].ID != 0 || e[1].ID != 1 {
		t.Fatalf("entries %+v", e)
	}
	// A minute later it is a new entry.
	l.Add(ReasonCommand, ContextTopLevel, "set", "u", "id=3", now.Add(2*time.Minute))
	if e := l.Entries(10); len(e) != 3 || e[0].Count != 1 || e[0].ID != 2 {
		t.Fatalf("entries %+v", e)
	}
	l.SetMaxLen(1)
	if e := l.Entries(10); len(e) != 1 {
		t.Fatalf("max len 1: %d entries", len(e))
	}
	l.Reset()
	if len(l.Entries(10)) != 0 || l.DeniedCommand.Load() != 3 || l.DeniedKey.Load() != 1 {
		t.Fatal("reset")
	}
}
