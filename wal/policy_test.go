package wal

import "testing"

// SetPolicy switches fsyncing on and off while the log runs.
func TestSetPolicy(t *testing.T) {
	l := openLog(t, t.TempDir(), No, 0)
	defer closeLog(t, l)
	if err := l.Wait(appendN(t, l, 10)); err != nil {
		t.Fatal(err)
	}
	if n := l.syncs.Load(); n != 0 {
		t.Fatalf("%d fsyncs under No", n)
	}
	if err := l.SetPolicy(Always); err != nil || l.Policy() != Always {
		t.Fatalf("SetPolicy(Always): %v, policy %v", err, l.Policy())
	}
	if n := l.syncs.Load(); n != 1 {
		t.Fatalf("switching to Always made %d fsyncs, want 1 for the records written before", n)
	}
	if err := l.Wait(appendN(t, l, 1)); err != nil {
		t.Fatal(err)
	}
	if n := l.syncs.Load(); n != 2 {
		t.Fatalf("%d fsyncs after a write under Always, want 2", n)
	}
	if err := l.SetPolicy(No); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(appendN(t, l, 1)); err != nil {
		t.Fatal(err)
	}
	if n := l.syncs.Load(); n != 2 {
		t.Fatalf("%d fsyncs after switching back to No", n)
	}
	if err := l.SetPolicy(Policy(7)); err == nil {
		t.Fatal("invalid policy accepted")
	}
}
