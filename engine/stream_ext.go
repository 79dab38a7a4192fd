package engine

// streamExt holds what a stream key carries beyond its entries: consumer
// groups and idempotent-producer state.
type streamExt struct{}
