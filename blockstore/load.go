package blockstore

import (
	"errors"
	"fmt"
	"io"

	"sluice/streams"
)

// readahead is the most a sequential read brings in beyond the block it
// needs: the blocks of a stream follow one another in its files, so a
// replay from the start reads them with few system calls.
const readahead = 256 << 10

// Load returns the data of the block at loc, from the cache or else from
// its file, checking the record's CRC (streams.Source). The data must not
// be changed.
func (s *Store) Load(loc streams.Loc) ([]byte, error) {
	k := key(loc)
	s.mu.Lock()
	if d, ok := s.cache.get(k); ok {
		s.mu.Unlock()
		s.stats.hits.Add(1)
		return d, nil
	}
	s.stats.misses.Add(1)
	h, err := s.handle(loc.File)
	ahead := int64(0)
	if s.lastMiss.File == loc.File && s.lastMiss.Off == loc.Off && s.cache.clockMax > 0 {
		ahead = min(readahead, s.cache.clockMax/8)
	}
	s.lastMiss = streams.Loc{File: loc.File, Off: loc.Off + uint32(recordLen(loc.Len))}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	n := recordLen(loc.Len)
	buf := make([]byte, n+ahead)
	m, err := h.ReadAt(buf, int64(loc.Off))
	s.stats.reads.Add(1)
	s.stats.readBytes.Add(int64(m))
	if int64(m) < n {
		if err == nil || errors.Is(err, io.EOF) {
			err = fmt.Errorf("%w: the file ends %d bytes into the record", errDamaged, m)
		}
		return nil, s.loadFailed(loc, err)
	}
	blk, _, err := parseRecord(loc.File, loc.Off, buf[:n])
	if err == nil && len(blk.Data) != int(loc.Len) {
		err = fmt.Errorf("%w: %d bytes of data, the index says %d", errDamaged, len(blk.Data), loc.Len)
	}
	if err != nil {
		return nil, s.loadFailed(loc, err)
	}
	data := blk.Data
	if ahead > 0 {
		// Keep each block in its own memory: a shared read buffer would
		// stay whole as long as any of its blocks is cached.
		data = append([]byte(nil), data...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cache.addClock(k, data, true)
	for off := n; off < int64(m); {
		next, size, err := parseRecord(loc.File, loc.Off+uint32(off), buf[off:m])
		if err != nil {
			break // cut short by the read, or not a block anyone needs
		}
		s.cache.addClock(key(streams.Loc{File: loc.File, Off: loc.Off + uint32(off)}), append([]byte(nil), next.Data...), false)
		off += size
		s.lastMiss.Off = loc.Off + uint32(off)
	}
	return data, nil
}

// loadFailed logs a block that cannot be read, naming its file and offset.
func (s *Store) loadFailed(loc streams.Loc, err error) error {
	err = fmt.Errorf("blockstore: %s offset %d: %w", fileName(loc.File), loc.Off, err)
	s.log.Error("BLOCK UNREADABLE: a stream read needs a block that cannot be read back", "file", fileName(loc.File),
		"offset", loc.Off, "err", err)
	return err
}
