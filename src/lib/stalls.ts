/**
 * How many times a job may be found stalled (its worker killed or its event loop blocked past
 * the lock) before BullMQ fails it. BullMQ's default, 1, failed a counsellor-system event for
 * good when its worker was killed twice mid-delivery; many more would let a job that kills its
 * process crash-loop the workers. (The webhook worker's sweep also re-queues a failed event.)
 */
export const STALLS_ALLOWED = 5;
