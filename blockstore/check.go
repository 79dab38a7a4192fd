package blockstore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// FileReport is what Scan found in one block file.
type FileReport struct {
	Num     uint32
	Name    string
	Size    int64
	Records int // records that check
	// Damaged are the complete records whose CRC fails, by offset.
	Damaged map[int64]error
	// Bad is the offset where the file stops being readable as records
	// (-1: it reads to its end), Err why. Torn says the bytes there are a
	// record cut short by the end of the file, or zeros: a write a crash
	// interrupted, which no index references (blocks are referenced only
	// once fsynced).
	Bad  int64
	Err  error
	Torn bool
}

// Scan reads every block file in dir record by record, checking each CRC,
// for `sluice check`. Whether a bad record matters depends on whether a
// snapshot references it: Load of each reference says.
func Scan(dir string) ([]FileReport, error) {
	nums, err := listFiles(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []FileReport
	for _, num := range nums {
		rep, err := scanFile(dir, num)
		if err != nil {
			return out, err
		}
		out = append(out, rep)
	}
	return out, nil
}

func scanFile(dir string, num uint32) (FileReport, error) {
	rep := FileReport{Num: num, Name: fileName(num), Bad: -1}
	f, err := os.Open(filepath.Join(dir, rep.Name))
	if err != nil {
		return rep, fmt.Errorf("blockstore: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return rep, fmt.Errorf("blockstore: %w", err)
	}
	rep.Size = fi.Size()
	r := bufio.NewReaderSize(f, 1<<20)
	head := make([]byte, fileHead)
	if _, err := io.ReadFull(r, head); err != nil || string(head[:8]) != fileMagic ||
		binary.BigEndian.Uint32(head[8:]) != fileVersion || binary.BigEndian.Uint32(head[12:]) != num {
		rep.Bad, rep.Err = 0, fmt.Errorf("%w: bad file header", errDamaged)
		rep.Torn = rep.Size < fileHead
		return rep, nil
	}
	off := int64(fileHead)
	buf := make([]byte, recordHead)
	for off < rep.Size {
		n, err := io.ReadFull(r, buf[:recordHead])
		if err != nil {
			rep.Bad, rep.Err, rep.Torn = off, fmt.Errorf("%w: the file ends %d bytes into a record", errDamaged, n), true
			return rep, nil
		}
		total := recordLen(binary.BigEndian.Uint32(buf))
		if off+total > rep.Size {
			rep.Bad, rep.Err, rep.Torn = off, fmt.Errorf("%w: a record of %d bytes runs past the end of the file", errDamaged, total), true
			return rep, nil
		}
		if int64(cap(buf)) < total {
			buf = append(buf[:recordHead], make([]byte, total-recordHead)...)
		}
		buf = buf[:total]
		if _, err := io.ReadFull(r, buf[recordHead:]); err != nil {
			return rep, fmt.Errorf("blockstore: read %s: %w", rep.Name, err)
		}
		if _, _, err := parseRecord(num, uint32(off), buf); err != nil {
			if allZero(buf) {
				// Zeros where a record should be: a write the crash cut
				// off before its pages reached the disk (as etcd tells torn).
				rep.Bad, rep.Err, rep.Torn = off, err, true
				return rep, nil
			}
			// Its length may be damaged too; if so, what follows does
			// not parse either and the scan ends at the next bad record.
			if rep.Damaged == nil {
				rep.Damaged = map[int64]error{}
			}
			rep.Damaged[off] = err
		} else {
			rep.Records++
		}
		off += total
	}
	return rep, nil
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}
