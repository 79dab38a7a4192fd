// Command crashload drives scripts/crash-test.sh. In load mode it writes to
// a sluice (pipelined XADDs from several clients, XREADGROUP + XACK from
// others) until the server dies, recording every acknowledged XADD ID and
// XACK to a file. In verify mode it checks a restarted server against those
// files: every acknowledged XADD present, every acknowledged XACK no longer
// pending, and no entry duplicated or out of order.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	stream = "crash"
	group  = "g"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:16650", "server address")
	mode := flag.String("mode", "load", "load, verify or wait")
	out := flag.String("out", "acked.log", "load: file that receives the acknowledged writes")
	cycle := flag.Int("cycle", 0, "load: cycle number, stored in every entry")
	writers := flag.Int("writers", 4, "load: XADD clients")
	readers := flag.Int("readers", 2, "load: XREADGROUP/XACK clients")
	pipeline := flag.Int("pipeline", 16, "load: XADDs per pipelined batch")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("crashload: ")
	rdb := redis.NewClient(&redis.Options{Addr: *addr, Protocol: 2, MaxRetries: -1,
		PoolSize: *writers + *readers + 2, ReadTimeout: 10 * time.Second})
	defer rdb.Close()
	var err error
	switch *mode {
	case "load":
		err = load(rdb, *out, *cycle, *writers, *readers, *pipeline)
	case "verify":
		err = verify(rdb, flag.Args())
	case "wait":
		err = waitReady(rdb)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// waitReady waits up to a minute for the server to answer PING.
func waitReady(rdb *redis.Client) error {
	deadline := time.Now().Add(time.Minute)
	for {
		err := rdb.Ping(context.Background()).Err()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// recorder appends acknowledged operations to the output file: "x ID" for
// an XADD, "a ID" for an XACK.
type recorder struct {
	mu sync.Mutex
	w  *bufio.Writer
}

func (r *recorder) add(kind byte, ids []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		r.w.WriteByte(kind)
		r.w.WriteByte(' ')
		r.w.WriteString(id)
		r.w.WriteByte('\n')
	}
}

// load runs until every client has lost the server.
func load(rdb *redis.Client, out string, cycle, writers, readers, pipeline int) error {
	ctx := context.Background()
	if err := rdb.XGroupCreateMkStream(ctx, stream, group, "0").Err(); err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	rec := &recorder{w: bufio.NewWriterSize(f, 1<<16)}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() { write(ctx, rdb, rec, cycle, w, pipeline) })
	}
	for r := range readers {
		wg.Go(func() { consume(ctx, rdb, rec, fmt.Sprintf("c%d-%d", cycle, r)) })
	}
	wg.Go(func() { bgsave(ctx, rdb) })
	wg.Wait()
	if err := rec.w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// write sends batches of XADDs; each entry carries cycle, writer and
// sequence number so verify can spot duplicates and reordering.
func write(ctx context.Context, rdb *redis.Client, rec *recorder, cycle, w, pipeline int) {
	for seq := 0; ; {
		p := rdb.Pipeline()
		cmds := make([]*redis.StringCmd, pipeline)
		for i := range cmds {
			cmds[i] = p.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []any{"c", cycle, "w", w, "i", seq}})
			seq++
		}
		p.Exec(ctx)
		var ids []string
		for _, c := range cmds {
			if c.Err() == nil {
				ids = append(ids, c.Val())
			}
		}
		rec.add('x', ids)
		if len(ids) < len(cmds) {
			return
		}
	}
}

func consume(ctx context.Context, rdb *redis.Client, rec *recorder, consumer string) {
	for {
		res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: consumer,
			Streams: []string{stream, ">"}, Count: 50, Block: 100 * time.Millisecond}).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return
		}
		var ids []string
		for _, m := range res[0].Messages {
			ids = append(ids, m.ID)
		}
		if err := rdb.XAck(ctx, stream, group, ids...).Err(); err != nil {
			return
		}
		rec.add('a', ids)
	}
}

// bgsave takes snapshots during the load, so crashes hit them too.
func bgsave(ctx context.Context, rdb *redis.Client) {
	for {
		time.Sleep(300 * time.Millisecond)
		if err := rdb.Do(ctx, "BGSAVE").Err(); err != nil && !strings.Contains(err.Error(), "in progress") {
			return
		}
	}
}

// verify checks the server against the files of every cycle so far and
// prints "acked A lost L".
func verify(rdb *redis.Client, files []string) error {
	ctx := context.Background()
	added, acked := map[string]bool{}, map[string]bool{}
	for _, name := range files {
		if err := readRecord(name, added, acked); err != nil {
			return err
		}
	}
	present := map[string]bool{}
	last := map[string]int{} // "cycle/writer" -> last sequence number seen
	start, prev, bad := "-", "", 0
	for {
		msgs, err := rdb.XRangeN(ctx, stream, start, "+", 10000).Result()
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if prev != "" && !idLess(prev, m.ID) {
				bad++
				log.Printf("entry %s follows %s", m.ID, prev)
			}
			prev = m.ID
			present[m.ID] = true
			key := fmt.Sprint(m.Values["c"], "/", m.Values["w"])
			i, _ := strconv.Atoi(fmt.Sprint(m.Values["i"]))
			if l, ok := last[key]; ok && i <= l {
				bad++
				log.Printf("entry %s: writer %s sequence %d after %d (duplicate or reordered)", m.ID, key, i, l)
			}
			last[key] = i
		}
		if len(msgs) < 10000 {
			break
		}
		start = "(" + prev
	}
	lostAdds := 0
	for id := range added {
		if !present[id] {
			lostAdds++
		}
	}
	pending, err := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: stream, Group: group, Start: "-", End: "+", Count: 1 << 30}).Result()
	if err != nil {
		return err
	}
	lostAcks := 0
	for _, p := range pending {
		if acked[p.ID] {
			lostAcks++
		}
	}
	fmt.Printf("acked %d lost %d xadd_lost %d xack_acked %d xack_lost %d bad_order %d entries %d\n",
		len(added), lostAdds+lostAcks+bad, lostAdds, len(acked), lostAcks, bad, len(present))
	return nil
}

func readRecord(name string, added, acked map[string]bool) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		kind, id, ok := strings.Cut(sc.Text(), " ")
		switch {
		case ok && kind == "x":
			added[id] = true
		case ok && kind == "a":
			acked[id] = true
		}
	}
	return sc.Err()
}

func idLess(a, b string) bool {
	ams, aseq := splitID(a)
	bms, bseq := splitID(b)
	return ams < bms || (ams == bms && aseq < bseq)
}

func splitID(id string) (uint64, uint64) {
	ms, seq, _ := strings.Cut(id, "-")
	m, _ := strconv.ParseUint(ms, 10, 64)
	s, _ := strconv.ParseUint(seq, 10, 64)
	return m, s
}
