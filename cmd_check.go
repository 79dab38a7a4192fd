package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"sluice/snapshot"
	"sluice/wal"
)

// checkCommand is `sluice check`: it verifies a data directory offline,
// changing nothing, and exits with status 1 when it finds damage.
func checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "verify the snapshots, the log and the block files of a data directory (offline, read-only)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Value: "./data", Usage: "data directory", EnvVars: []string{"SLUICE_DIR"}},
		},
		Action: func(c *cli.Context) error {
			if !checkDir(c.App.Writer, c.String("dir")) {
				return errors.New("check: damage found")
			}
			return nil
		},
	}
}

// checkDir prints what it finds in dir and reports whether all is well.
func checkDir(out io.Writer, dir string) bool {
	if _, err := os.Stat(dir); err != nil {
		fmt.Fprintf(out, "data dir: %v\n", err)
		return false
	}
	ok := true
	files, err := snapshot.List(dir)
	if err != nil {
		fmt.Fprintf(out, "snapshots: %v\n", err)
		return false
	}
	var base *snapshot.Info
	var basePath string
	for _, f := range files {
		info, err := snapshot.Verify(f.Path)
		if err != nil {
			ok = false
			fmt.Fprintf(out, "snapshot %s: DAMAGED: %v\n", filepath.Base(f.Path), err)
			continue
		}
		fmt.Fprintf(out, "snapshot %s: ok: LSN %d, %d keys (%d streams, %d entries), %d bytes, taken %s\n",
			filepath.Base(f.Path), info.LSN, info.Keys, info.Streams, info.Entries, info.Size,
			time.UnixMilli(info.Time).UTC().Format(time.RFC3339))
		if base == nil {
			base, basePath = &info, f.Path
		}
	}
	if len(files) == 0 {
		fmt.Fprintln(out, "snapshots: none")
	}

	var from uint64
	if base != nil {
		from = base.LSN
	}
	rep, err := wal.Check(filepath.Join(dir, "wal"), from)
	if err != nil {
		fmt.Fprintf(out, "log: %v\n", err)
		return false
	}
	fmt.Fprintf(out, "log: %d segments, %d bytes, %d records", rep.Segments, rep.Bytes, rep.Records)
	if rep.Records > 0 {
		fmt.Fprintf(out, " (LSN %d-%d)", rep.First, rep.Last)
	}
	fmt.Fprintln(out)
	if rep.TornBytes > 0 {
		fmt.Fprintf(out, "log: torn tail of %d bytes after LSN %d (the next start cuts it)\n", rep.TornBytes, rep.Last)
	}
	if rep.Covered != "" {
		fmt.Fprintf(out, "log: damaged records the snapshot at LSN %d covers (recovery passes over them): %s\n", from, rep.Covered)
	}
	if rep.Corrupt != "" {
		ok = false
		fmt.Fprintf(out, "log: CORRUPT: %s (sluice refuses to start; --repair cuts the log there, dropping every record after it)\n", rep.Corrupt)
	}

	switch {
	case rep.Records > 0 && rep.First > from+1:
		ok = false
		fmt.Fprintf(out, "recovery: GAP: the log starts at LSN %d but the newest good snapshot ends at LSN %d\n", rep.First, from)
	case rep.Records > 0 && rep.Last > from:
		fmt.Fprintf(out, "recovery: from LSN %d, replaying %d records\n", from, rep.Last-from)
	default:
		fmt.Fprintf(out, "recovery: from LSN %d, nothing to replay\n", from)
	}
	if !checkBlocks(out, dir, basePath) {
		ok = false
	}
	if ok {
		fmt.Fprintln(out, "ok")
	}
	return ok
}
