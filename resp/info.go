package resp

import (
	"strconv"
	"time"
)

// registerInfo adds the protocol layer's fields to INFO (clients and
// stats sections). New calls it once.
func (s *Server) registerInfo() {
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	s.eng.AddInfoSection("clients", func(add func(key, value string)) {
		now := time.Now()
		add("connected_clients", itoa(s.connected.Load()))
		add("maxclients", itoa(s.maxClients.Load()))
		add("client_recent_max_input_buffer", s.recentIn.get(now))
		add("client_recent_max_output_buffer", s.recentOut.get(now))
	})
	s.eng.AddInfoSection("stats", func(add func(key, value string)) {
		add("total_connections_received", itoa(s.total.Load()))
		add("rejected_connections", itoa(s.rejected.Load()))
		add("client_query_buffer_limit_disconnections", itoa(s.queryBufferDisconnects.Load()))
		add("client_output_buffer_limit_disconnections", itoa(s.outputLimitDisconnects.Load()))
		log := s.acl.Log
		add("acl_access_denied_auth", itoa(log.DeniedAuth.Load()))
		add("acl_access_denied_cmd", itoa(log.DeniedCommand.Load()))
		add("acl_access_denied_key", itoa(log.DeniedKey.Load()))
		add("acl_access_denied_channel", "0")
	})
}
