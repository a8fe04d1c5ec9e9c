#include "tasks_test.hpp"

namespace tulip {
namespace {

using namespace tasks_test;

std::vector<std::string> messages(const ExceptionGroup& group) {
    std::vector<std::string> out;
    for (const auto& e : group.exceptions()) out.push_back(describe_exception(e));
    return out;
}

TEST(TaskGroup, WaitsForEveryChildAndReturnsTheBodysResult) {
    run_clean([]() -> Coro<void> {
        Task<int> a, b;
        int body = co_await task_group([&](TaskGroup& tg) -> Coro<int> {
            a = tg.create_task(value_after(0.002, 1));
            b = tg.create_task(value_after(0.001, 2));
            co_return 3;
        });
        EXPECT_TRUE(a.done() && b.done());
        EXPECT_EQ(a.result() + b.result() + body, 6);
    }());
}

TEST(TaskGroup, FirstFailureCancelsSiblingsAndBodyAndGroupsTheErrors) {
    run_clean([]() -> Coro<void> {
        bool sibling_cancelled = false, body_cancelled = false, after_body = false;
        std::vector<std::string> errors;
        try {
            co_await task_group([&](TaskGroup& tg) -> Coro<void> {
                tg.create_task(sleep_noting_cancel(1, sibling_cancelled));
                tg.create_task(fail_after(0.001, "one"));
                tg.create_task(fail_after(0.001, "two"));  // fails in the same iteration
                co_await sleep_noting_cancel(1, body_cancelled);
                after_body = true;
            });
            ADD_FAILURE() << "no ExceptionGroup";
        } catch (const ExceptionGroup& group) {
            errors = messages(group);
            EXPECT_EQ(std::string(group.what()),
                      "unhandled errors in a TaskGroup (2 sub-exceptions): ValueError: one; ValueError: two");
        }
        EXPECT_EQ(errors, (std::vector<std::string>{"ValueError: one", "ValueError: two"}));
        EXPECT_TRUE(sibling_cancelled);
        EXPECT_TRUE(body_cancelled);
        EXPECT_FALSE(after_body);
        // The group uncancelled us: this task carries on.
        EXPECT_EQ(current_task()->cancelling(), 0);
        co_await sleep(0.001);
    }());
}

TEST(TaskGroup, NoNewChildrenOnceShuttingDown) {
    run_clean([]() -> Coro<void> {
        bool late_ran = false;
        bool refused = false;
        try {
            co_await task_group([&](TaskGroup& tg) -> Coro<void> {
                tg.create_task(fail_after(0, "boom"));
                std::exception_ptr cancelled;
                try {
                    co_await sleep(1);
                } catch (const CancelledError&) {
                    cancelled = std::current_exception();
                }
                try {
                    tg.create_task([](bool& ran) -> Coro<void> {
                        ran = true;
                        co_return;
                    }(late_ran));
                } catch (const RuntimeError&) {
                    refused = true;
                }
                if (cancelled) std::rethrow_exception(cancelled);
            });
        } catch (const ExceptionGroup& group) {
            EXPECT_EQ(group.exceptions().size(), 1u);
        }
        co_await yield();
        EXPECT_TRUE(refused);
        EXPECT_FALSE(late_ran);  // dropped without running (and without a "never awaited" report)
    }());
}

TEST(TaskGroup, CancelledChildIsNotAnError) {
    run_clean([]() -> Coro<void> {
        co_await task_group([](TaskGroup& tg) -> Coro<void> {
            auto t = tg.create_task(value_after(1, 0));
            tg.create_task(value_after(0.001, 1));
            co_await sleep(0);
            t.cancel();
        });
    }());
}

TEST(TaskGroup, BodyErrorCancelsChildrenAndIsGrouped) {
    run_clean([]() -> Coro<void> {
        bool child_cancelled = false;
        try {
            co_await task_group([&](TaskGroup& tg) -> Coro<void> {
                tg.create_task(sleep_noting_cancel(1, child_cancelled));
                co_await sleep(0);
                throw ValueError("body");
            });
        } catch (const ExceptionGroup& group) {
            EXPECT_EQ(messages(group), (std::vector<std::string>{"ValueError: body"}));
        }
        EXPECT_TRUE(child_cancelled);
    }());
}

TEST(TaskGroup, ExternalCancelCancelsChildrenThenPropagates) {
    run_clean([]() -> Coro<void> {
        bool child_cancelled = false, body_cancelled = false;
        auto outer = create_task([](bool& c, bool& b) -> Coro<void> {
            co_await task_group([&](TaskGroup& tg) -> Coro<void> {
                tg.create_task(sleep_noting_cancel(1, c));
                co_await sleep_noting_cancel(1, b);
            });
        }(child_cancelled, body_cancelled));
        co_await yield(2);
        outer.cancel();
        EXPECT_TRUE(co_await raises_cancelled(outer));
        EXPECT_TRUE(child_cancelled);
        EXPECT_TRUE(body_cancelled);
    }());
}

TEST(TaskGroup, ExternalCancelWhileExitingWaitsForChildren) {
    run_clean([]() -> Coro<void> {
        std::vector<std::string> log;
        auto slow_cleanup = [](std::vector<std::string>& log) -> Coro<void> {
            bool cancelled = false;
            try {
                co_await sleep(1);
            } catch (const CancelledError&) {
                cancelled = true;
            }
            co_await sleep(0.002);  // still cleaning up when the group's exit is cancelled
            log.push_back("child done");
            if (cancelled) throw CancelledError();
        };
        auto outer = create_task([](std::vector<std::string>& log, auto child) -> Coro<void> {
            co_await task_group([&](TaskGroup& tg) -> Coro<void> {
                tg.create_task(child(log));
                co_return;  // straight to the exit, which waits
            });
            log.push_back("group exited");
        }(log, slow_cleanup));
        co_await yield(2);
        outer.cancel();
        EXPECT_TRUE(co_await raises_cancelled(outer));
        log.push_back("outer cancelled");
        EXPECT_EQ(log, (std::vector<std::string>{"child done", "outer cancelled"}));
    }());
}

TEST(TaskGroup, ErrorsWinOverAnExternalCancelWhichStaysPending) {
    run_clean([]() -> Coro<void> {
        bool grouped = false, then_cancelled = false;
        auto outer = create_task([](bool& grouped, bool& then_cancelled) -> Coro<void> {
            try {
                co_await task_group([](TaskGroup& tg) -> Coro<void> {
                    tg.create_task([]() -> Coro<void> {
                        std::exception_ptr cancelled;
                        try {
                            co_await sleep(1);
                        } catch (const CancelledError&) {
                            cancelled = std::current_exception();
                        }
                        throw ValueError("failed while cancelled");
                    }());
                    co_await sleep(1);
                });
            } catch (const ExceptionGroup&) {
                grouped = true;
            }
            try {
                co_await sleep(0);  // the outside cancel is still owed
            } catch (const CancelledError&) {
                then_cancelled = true;
                throw;
            }
        }(grouped, then_cancelled));
        co_await yield(2);
        outer.cancel();
        EXPECT_TRUE(co_await raises_cancelled(outer));
        EXPECT_TRUE(grouped);
        EXPECT_TRUE(then_cancelled);
    }());
}

TEST(TaskGroup, Nested) {
    run_clean([]() -> Coro<void> {
        int total = co_await task_group([](TaskGroup& outer) -> Coro<int> {
            auto a = outer.create_task(value_after(0.001, 1));
            int inner = co_await task_group([](TaskGroup& tg) -> Coro<int> {
                auto b = tg.create_task(value_after(0.002, 2));
                co_return co_await b;
            });
            co_return inner + co_await a;
        });
        EXPECT_EQ(total, 3);
    }());
}

}  // namespace
}  // namespace tulip
