package engine

// idmpState is the idempotent-producer memory of one stream (XADD IDMP).
type idmpState struct{}
