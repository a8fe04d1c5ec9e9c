// coro/ref: Ref<S>, an owning pointer for intrusively reference-counted objects
// (anything with retain() and release(): futures, tasks, transports, servers).
#pragma once

#include <utility>

namespace tulip {

template <class S>
class Ref {
public:
    Ref() = default;
    explicit Ref(S* p) noexcept : p_(p) {
        if (p_) p_->retain();
    }
    Ref(const Ref& o) noexcept : Ref(o.p_) {}
    Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    template <class U>
    Ref(const Ref<U>& o) noexcept : Ref(static_cast<S*>(o.get())) {}
    Ref& operator=(Ref o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    ~Ref() {
        if (p_) p_->release();
    }
    S* get() const noexcept { return p_; }
    S* operator->() const noexcept { return p_; }
    S& operator*() const noexcept { return *p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    friend bool operator==(const Ref& a, const Ref& b) noexcept { return a.p_ == b.p_; }

private:
    S* p_ = nullptr;
};

}  // namespace tulip
