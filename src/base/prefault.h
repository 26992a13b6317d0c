// PrefaultForWrite: maps in, with one system call, the pages of a buffer about to be written
// whole (madvise MADV_POPULATE_WRITE, Linux 5.14+). On this project's VMs, faulting in a
// page by touching it costs ~13 us, a populate ~5 us a page; large fresh buffers that are
// filled right away (sink objects, log read chunks) are worth populating first.
//
// Best effort: pages only partly inside [p, p + n) are left alone, and an error (an older
// kernel, memory pressure) leaves the pages to be faulted in as usual.
//
// Thread-safety: any thread.
#pragma once

#include <cstddef>

namespace pinpipe {

void PrefaultForWrite(void* p, size_t n);

}  // namespace pinpipe
