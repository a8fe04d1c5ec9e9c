// UringSelector's completion sends: one IORING_OP_SEND per owner, prepared when
// asked and submitted with the next select()'s wait, so that a loop iteration
// that writes to a hundred sockets makes one syscall, not a hundred. The data is
// the owner's and stays put until the completion, which select() reports in
// sent(). MSG_NOSIGNAL: a peer that went away gives EPIPE, never SIGPIPE.
#include <sys/socket.h>

#include <cerrno>

#include "selectors/uring_state.hpp"
#include "tulip/errors.hpp"

namespace tulip {

void UringSelector::start_send(int fd, const char* data, std::size_t len, void* owner) {
    State& st = *state_;
    io_uring_sqe* s = st.sqe();
    if (s == nullptr) raise_os_error(EBUSY, "io_uring_get_sqe");
    io_uring_prep_send(s, fd, data, len, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(s, uring_detail::send_tag(owner));
}

void UringSelector::cancel_send(void* owner) noexcept {
    State& st = *state_;
    if (st.cancel_request(uring_detail::send_tag(owner))) io_uring_submit_and_get_events(&st.ring);
}

const std::vector<UringSelector::Sent>& UringSelector::sent() const noexcept { return state_->sent; }

}  // namespace tulip
