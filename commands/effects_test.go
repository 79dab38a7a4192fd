package commands

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"strings"
	"testing"
)

// mutators are the methods of streams and groups that change data. Only
// the kernel's effect functions may call them: a handler that did would
// change state the log never hears of.
var mutators = map[string]bool{
	"Append": true, "Delete": true, "Trim": true, "SetMeta": true, "LoadBlock": true,
	"Ack": true, "Place": true, "Unown": true, "Deliver": true, "SetLastID": true, "RaiseLastID": true,
	"CreateConsumer": true, "Seen": true, "DeleteConsumer": true, "MarkActive": true,
	"RestoreConsumer": true, "RestoreNACK": true,
}

func TestHandlersOnlyChangeThroughEffects(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	if _, err := conf.Check("sluice/commands", fset, files, info); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for sel, s := range info.Selections {
		fn, ok := s.Obj().(*types.Func)
		if !ok || fn.Pkg() == nil {
			continue
		}
		checked++
		pkg := fn.Pkg().Path()
		if (pkg == "sluice/streams" || pkg == "sluice/groups") && mutators[fn.Name()] && dataReceiver(fn) {
			t.Errorf("%s: a handler calls %s.%s directly; change state through a kernel.Ctx effect method",
				fset.Position(sel.Pos()), pkg, fn.Name())
		}
	}
	if checked == 0 {
		t.Fatal("no method calls found: the check looks at nothing")
	}
}

// dataReceiver reports whether fn is a method of a stream, group or
// consumer (an ID's Append formats it; it changes nothing).
func dataReceiver(fn *types.Func) bool {
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil {
		return false
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok {
		return false
	}
	switch n.Obj().Name() {
	case "Stream", "Group", "Consumer":
		return true
	}
	return false
}
