package resp

import "golang.org/x/sys/unix"

// pollRDHUP is POLLRDHUP (<poll.h>): the peer closed its side.
const pollRDHUP = 0x2000

// peerClosed reports whether the peer of socket fd has closed its side,
// even though unread bytes wait before the end.
func peerClosed(fd uintptr) bool {
	fds := []unix.PollFd{{Fd: int32(fd), Events: pollRDHUP}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0 && fds[0].Revents&(pollRDHUP|unix.POLLHUP|unix.POLLERR) != 0
}
