package main

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"sluice/blockstore"
	"sluice/snapshot"
	"sluice/streams"
)

// checkBlocks scans every block file, record by record, and reads back
// every block the newest good snapshot (at snap; "" if none) references,
// naming the file and offset of any damage. Damage no snapshot references
// is harmless (blocks written when a crash came, or dropped since) and is
// only reported; a referenced block that does not read back is lost data.
func checkBlocks(out io.Writer, dir, snap string) bool {
	bdir := filepath.Join(dir, "blocks")
	reps, err := blockstore.Scan(bdir)
	if err != nil {
		fmt.Fprintf(out, "blocks: %v\n", err)
		return false
	}
	refs := map[uint32]map[uint32]bool{} // file -> offsets the snapshot references
	var locs []streams.Loc
	if snap != "" {
		st, _, err := snapshot.Load(snap)
		if err != nil {
			fmt.Fprintf(out, "blocks: snapshot %s: %v\n", filepath.Base(snap), err)
			return false
		}
		for _, k := range st.Keys {
			if k.Stream == nil {
				continue
			}
			k.Stream.EachBlock(func(b streams.Block) bool {
				if b.Cold() {
					locs = append(locs, b.Loc)
					if refs[b.Loc.File] == nil {
						refs[b.Loc.File] = map[uint32]bool{}
					}
					refs[b.Loc.File][b.Loc.Off] = true
				}
				return true
			})
		}
	}
	var bytes int64
	records := 0
	for _, r := range reps {
		bytes += r.Size
		records += r.Records
		for off, err := range r.Damaged {
			fmt.Fprintf(out, "blocks: %s: DAMAGED record at offset %d: %v%s\n", r.Name, off, err, refNote(refs, r.Num, off, false))
		}
		switch {
		case r.Bad < 0:
		case r.Torn:
			fmt.Fprintf(out, "blocks: %s: torn tail at offset %d, %d bytes (a write a crash cut short)%s\n",
				r.Name, r.Bad, r.Size-r.Bad, refNote(refs, r.Num, r.Bad, true))
		default:
			fmt.Fprintf(out, "blocks: %s: DAMAGED at offset %d, unreadable from there on: %v%s\n", r.Name, r.Bad, r.Err, refNote(refs, r.Num, r.Bad, true))
		}
	}
	fmt.Fprintf(out, "blocks: %d files, %d bytes, %d blocks\n", len(reps), bytes, records)
	if len(locs) == 0 {
		return true
	}
	st, err := blockstore.Open(blockstore.Options{Dir: bdir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Fprintf(out, "blocks: %v\n", err)
		return false
	}
	defer st.Close()
	bad := 0
	for _, loc := range locs {
		if _, err := st.Load(loc); err != nil {
			bad++
			fmt.Fprintf(out, "blocks: DAMAGED: a block the snapshot references does not read back: %v\n", err)
		}
	}
	if bad > 0 {
		fmt.Fprintf(out, "blocks: %d of the %d blocks the snapshot references are lost\n", bad, len(locs))
		return false
	}
	fmt.Fprintf(out, "blocks: the %d blocks the snapshot references read back intact\n", len(locs))
	return true
}

// refNote says whether damage at off in a file (through: and all after
// it) touches a block the snapshot references.
func refNote(refs map[uint32]map[uint32]bool, file uint32, off int64, through bool) string {
	for o := range refs[file] {
		if int64(o) == off || (through && int64(o) > off) {
			return " (the snapshot references it)"
		}
	}
	return " (no block the snapshot references: harmless)"
}
