// The multi-stream cells of the yamux2 suite, the Go twin of io.weft.bench.MuxCells. Every
// stream (over "-mux raw", every TCP connection) starts with a one-byte tag telling the server
// what to do: 'B' write 64 KiB chunks nonstop, 'R' echo 64-byte messages, 'C' read the rest of a
// 1 KiB message, write 1 KiB back and close, 'M' the control stream of the idle cell.

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/bits"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/yamux"
)

var multiStreamWorkloads = map[string]bool{"lub": true, "bulk8": true, "churn": true, "idle": true}

const (
	bulkStreams       = 8
	churnWorkers      = 16
	churnMessageBytes = 1024
	subBuckets        = 32 // histogram: exact below 32 µs, then 32 buckets per power of two
	subShift          = 5
)

// histogram is MuxCells' LatencyHistogram: log-linear buckets of microseconds, identical edges.
type histogram struct {
	counts [subBuckets + (63-subShift)*subBuckets]int64
	total  int64
	max    int64
}

func bucket(micros int64) int {
	if micros < subBuckets {
		return int(micros)
	}
	exponent := 63 - bits.LeadingZeros64(uint64(micros))
	sub := int(micros>>(exponent-subShift)) & (subBuckets - 1)
	return subBuckets + (exponent-subShift)*subBuckets + sub
}

func bucketUpper(index int) int64 {
	if index < subBuckets {
		return int64(index)
	}
	exponent := (index-subBuckets)/subBuckets + subShift
	sub := int64((index - subBuckets) % subBuckets)
	return ((subBuckets + sub + 1) << (exponent - subShift)) - 1
}

func (h *histogram) record(d time.Duration) {
	micros := (d.Nanoseconds() + 500) / 1000
	atomic.AddInt64(&h.counts[bucket(micros)], 1)
	atomic.AddInt64(&h.total, 1)
	for {
		m := atomic.LoadInt64(&h.max)
		if micros <= m || atomic.CompareAndSwapInt64(&h.max, m, micros) {
			return
		}
	}
}

func (h *histogram) percentile(p float64) float64 {
	n := atomic.LoadInt64(&h.total)
	if n == 0 {
		return math.NaN()
	}
	rank := int64(math.Ceil(p / 100 * float64(n)))
	if rank < 1 {
		rank = 1
	}
	max := atomic.LoadInt64(&h.max)
	var seen int64
	for i := range h.counts {
		seen += atomic.LoadInt64(&h.counts[i])
		if seen >= rank {
			if u := bucketUpper(i); u < max {
				return float64(u)
			}
			return float64(max)
		}
	}
	return float64(max)
}

type opener func() (net.Conn, error)

func openers(mux, addr string) (opener, error) {
	if mux != "yamux" {
		return func() (net.Conn, error) {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				setNoDelay(c)
			}
			return c, err
		}, nil
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	setNoDelay(conn)
	session, err := yamux.Client(conn, yamuxConfig())
	if err != nil {
		return nil, err
	}
	return func() (net.Conn, error) {
		s, err := session.OpenStream()
		if err != nil {
			return nil, err
		}
		return s, nil
	}, nil
}

func tagged(open opener, tag byte) (net.Conn, error) {
	c, err := open()
	if err != nil {
		return nil, err
	}
	_, err = c.Write([]byte{tag})
	return c, err
}

func serveStreams(mux, workload, listen string, streams int) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Printf("LISTEN %s\n", ln.Addr())
	os.Stdout.Sync()
	ended := make(chan struct{}, 1)
	signal := func() {
		select {
		case ended <- struct{}{}:
		default:
		}
	}
	accept := func() (net.Conn, error) {
		c, err := ln.Accept()
		if err == nil {
			setNoDelay(c)
		}
		return c, err
	}
	if mux == "yamux" {
		conn, err := accept()
		if err != nil {
			return err
		}
		ln.Close()
		session, err := yamux.Server(conn, yamuxConfig())
		if err != nil {
			return err
		}
		if workload == "idle" {
			return serveIdle(session, streams)
		}
		accept = func() (net.Conn, error) {
			s, err := session.AcceptStream()
			if err != nil {
				return nil, err
			}
			return s, nil
		}
	}
	go func() {
		for {
			c, err := accept()
			if err != nil {
				signal()
				return
			}
			go handle(c, signal)
		}
	}()
	<-ended // the client has gone
	return nil
}

func handle(c net.Conn, signal func()) {
	defer c.Close()
	tag := make([]byte, 1)
	if _, err := io.ReadFull(c, tag); err != nil {
		signal()
		return
	}
	switch tag[0] {
	case 'B':
		chunk := make([]byte, bulkChunkBytes)
		for {
			if _, err := c.Write(chunk); err != nil {
				signal()
				return
			}
		}
	case 'R':
		msg := make([]byte, rrMessageBytes)
		for {
			if _, err := io.ReadFull(c, msg); err != nil {
				signal()
				return
			}
			if _, err := c.Write(msg); err != nil {
				signal()
				return
			}
		}
	case 'C':
		msg := make([]byte, churnMessageBytes)
		if _, err := io.ReadFull(c, msg[1:]); err == nil {
			c.Write(msg)
		}
	}
}

func clientStreams(mux, workload, addr string, warmup, measure time.Duration, impl string, streams int) error {
	open, err := openers(mux, addr)
	if err != nil {
		return err
	}
	if workload == "idle" {
		return idleClient(open, streams)
	}
	var primary, bulkBytes int64
	var recording int32
	latency := &histogram{}
	loopErr := make(chan error, 32)
	n := 0
	switch workload {
	case "lub":
		n = 2
		b, err := tagged(open, 'B')
		if err != nil {
			return err
		}
		r, err := tagged(open, 'R')
		if err != nil {
			return err
		}
		go func() { loopErr <- bulkReceive(b, &bulkBytes) }()
		go func() {
			msg := make([]byte, rrMessageBytes)
			for {
				start := time.Now()
				if _, err := r.Write(msg); err != nil {
					loopErr <- err
					return
				}
				if _, err := io.ReadFull(r, msg); err != nil {
					loopErr <- err
					return
				}
				if atomic.LoadInt32(&recording) == 1 {
					latency.record(time.Since(start))
				}
				atomic.AddInt64(&primary, 1)
			}
		}()
	case "bulk8":
		n = bulkStreams
		for i := 0; i < bulkStreams; i++ {
			b, err := tagged(open, 'B')
			if err != nil {
				return err
			}
			go func() { loopErr <- bulkReceive(b, &primary) }()
		}
	case "churn":
		n = churnWorkers
		for i := 0; i < churnWorkers; i++ {
			go func() {
				msg := make([]byte, churnMessageBytes)
				for {
					msg[0] = 'C'
					c, err := open()
					if err == nil {
						_, err = c.Write(msg)
					}
					if err == nil {
						_, err = io.ReadFull(c, msg)
					}
					if err != nil {
						loopErr <- err
						return
					}
					c.Close()
					atomic.AddInt64(&primary, 1)
				}
			}()
		}
	}
	for first := time.Now(); atomic.LoadInt64(&primary) == 0 && time.Since(first) < 20*time.Second; {
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-loopErr:
		return fmt.Errorf("during warm-up: %v", err)
	case <-time.After(warmup):
	}
	atomic.StoreInt32(&recording, 1)
	c0, b0, t0 := atomic.LoadInt64(&primary), atomic.LoadInt64(&bulkBytes), time.Now()
	select {
	case err := <-loopErr:
		return fmt.Errorf("while measuring: %v", err)
	case <-time.After(measure):
	}
	atomic.StoreInt32(&recording, 0)
	c1, b1, t1 := atomic.LoadInt64(&primary), atomic.LoadInt64(&bulkBytes), time.Now()
	secs := t1.Sub(t0).Seconds()
	out := map[string]interface{}{"impl": impl, "workload": workload, "connections": n, "seconds": secs,
		"count": c1 - c0, "runtime": runtime.Version()}
	switch workload {
	case "lub":
		out["value"], out["unit"] = float64(c1-c0)/secs, "rt/s"
		out["bulk"] = float64(b1-b0) / secs / 1e6
		for _, p := range []struct {
			name string
			p    float64
		}{{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p999", 99.9}} {
			if v := latency.percentile(p.p); !math.IsNaN(v) {
				out[p.name] = v
			}
		}
		out["max"] = float64(atomic.LoadInt64(&latency.max))
	case "bulk8":
		out["value"], out["unit"] = float64(c1-c0)/secs/1e6, "MB/s"
	default:
		out["value"], out["unit"] = float64(c1-c0)/secs, "streams/s"
	}
	line, err := json.Marshal(out)
	if err != nil {
		return err
	}
	fmt.Println(string(line))
	os.Stdout.Sync()
	return nil
}

func bulkReceive(c net.Conn, counter *int64) error {
	buf := make([]byte, bulkChunkBytes)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return err
		}
		atomic.AddInt64(counter, int64(n))
	}
}

// serveIdle accepts the control stream and then streams idle ones (reading the byte each
// carries), measures the heap per stream after a GC, starts a blocked reader per stream,
// measures RSS and heap again and writes the JSON line on the control stream.
func serveIdle(session *yamux.Session, streams int) error {
	control, err := session.AcceptStream()
	if err != nil {
		return err
	}
	one := make([]byte, 1)
	if _, err := io.ReadFull(control, one); err != nil {
		return err
	}
	rss0, heap0 := rssKiB(), heapAfterGC()
	idle := make([]*yamux.Stream, 0, streams)
	t0 := time.Now()
	for i := 0; i < streams; i++ {
		s, err := session.AcceptStream()
		if err != nil {
			return err
		}
		if _, err := io.ReadFull(s, one); err != nil {
			return err
		}
		idle = append(idle, s)
	}
	openSecs := time.Since(t0).Seconds()
	heapAccepted := heapAfterGC()
	var started int64
	for _, s := range idle {
		go func(s *yamux.Stream) {
			buf := make([]byte, 1)
			atomic.AddInt64(&started, 1)
			s.Read(buf)
		}(s)
	}
	for atomic.LoadInt64(&started) < int64(streams) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the last readers reach their Read: Go cannot ask a goroutine's state
	heapReaders, rss1 := heapAfterGC(), rssKiB()
	out := map[string]interface{}{"impl": "go-yamux", "workload": "idle", "connections": streams,
		"seconds": openSecs, "count": streams, "value": float64(rss1-rss0) / float64(streams), "unit": "KiB",
		"heap":        float64(heapAccepted-heap0) / 1024 / float64(streams),
		"heapReaders": float64(heapReaders-heap0) / 1024 / float64(streams),
		"rssMiB":      float64(rss1) / 1024, "runtime": runtime.Version()}
	line, err := json.Marshal(out)
	if err != nil {
		return err
	}
	if _, err := control.Write(append(line, '\n')); err != nil {
		return err
	}
	control.Close()
	<-session.CloseChan() // until the client leaves
	return nil
}

func idleClient(open opener, streams int) error {
	control, err := tagged(open, 'M')
	if err != nil {
		return err
	}
	idle := make([]net.Conn, 0, streams)
	for i := 0; i < streams; i++ {
		s, err := tagged(open, 'I')
		if err != nil {
			return err
		}
		idle = append(idle, s)
	}
	line, err := bufio.NewReader(control).ReadString('\n')
	if err != nil {
		return fmt.Errorf("no result on the control stream: %v", err)
	}
	fmt.Print(line)
	os.Stdout.Sync()
	runtime.KeepAlive(idle)
	return nil
}

func heapAfterGC() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// rssKiB is VmRSS from /proc/self/status, or 0.
func rssKiB() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(status, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("VmRSS:")) {
			fields := bytes.Fields(line)
			if len(fields) >= 2 {
				v, _ := strconv.ParseInt(string(fields[1]), 10, 64)
				return v
			}
		}
	}
	return 0
}
