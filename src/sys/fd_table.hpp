// sys/fd_table: the one growth rule for tables indexed by descriptor number (the
// loop's FdState, the selectors' registrations). Internal.
#pragma once

#include <cstddef>
#include <vector>

namespace tulip::sys {

// The entry for `index`, the table grown to reach it and no further. resize()
// still grows the capacity geometrically (amortised O(1)), but only the entries
// up to the highest descriptor seen are written: the spare capacity is address
// space the kernel never backs. Doubling the size instead wrote entries for
// descriptors that never came, ~60 B of resident memory per connection at 10,000.
template <class T>
T& fd_slot(std::vector<T>& table, std::size_t index, const T& fill = T{}) {
    if (index >= table.size()) table.resize(index + 1, fill);
    return table[index];
}

}  // namespace tulip::sys
