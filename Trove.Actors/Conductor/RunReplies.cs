using Akka.Actor;

namespace Trove.Actors.Conductor;

/// <summary>
/// The entities' answers to one run of reports, collected without an ask each (an ask is a promise ref registered
/// under a temporary path, a task, a timer and a continuation on the thread pool per report): each report is told to
/// its entity with a receiver of its own (<see cref="ReceiverFor"/>), which only stores the answer, and the run waits
/// once for all of them or its deadline. A receiver is registered where an answer from another node can find it only
/// when its path is asked for, as it is when the report is sent to another node; disposing the run unregisters it.
/// </summary>
internal sealed class RunReplies : IDisposable
{
    private readonly IActorRefProvider _provider;
    private readonly Receiver[] _receivers;
    private readonly object?[] _answers;
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;

    public RunReplies(IActorRefProvider provider, int count)
    {
        _provider = provider;
        _receivers = new Receiver[count];
        _answers = new object?[count];
        _pending = count;
        if (count == 0)
            _all.SetResult();
    }

    /// <summary>Where the entity of the run's <paramref name="index"/>th report answers it.</summary>
    public IActorRef ReceiverFor(int index) => _receivers[index] ??= new Receiver(this, index);

    /// <summary>Completes when every report was answered or the deadline passed, whichever comes first.</summary>
    public async Task AllAnsweredAsync(CancellationToken deadline)
    {
        using var _ = deadline.Register(static all => ((TaskCompletionSource)all!).TrySetResult(), _all);
        await _all.Task;
    }

    /// <summary>The answer to the <paramref name="index"/>th report (the entity's reply, or the cause of its
    /// <see cref="Status.Failure"/>); null when none came.</summary>
    public object? AnswerOf(int index) => Volatile.Read(ref _answers[index]);

    private void Answered(int index, object? message)
    {
        var answer = message switch
        {
            Status.Failure failure => failure.Cause ?? new InvalidOperationException("the entity answered with a failure without a cause"),
            null => new InvalidOperationException("the entity answered with null"),
            _ => message,
        };
        if (Interlocked.CompareExchange(ref _answers[index], answer, null) is null && Interlocked.Decrement(ref _pending) == 0)
            _all.TrySetResult();
    }

    public void Dispose()
    {
        foreach (var receiver in _receivers)
            receiver?.Close();
    }

    private sealed class Receiver(RunReplies run, int index) : MinimalActorRef
    {
        private readonly Lock _lock = new();
        private ActorPath? _path;
        private bool _registered;
        private bool _closed;

        public override IActorRefProvider Provider => run._provider;

        public override ActorPath Path
        {
            get
            {
                lock (_lock)
                {
                    if (_path is null)
                    {
                        _path = run._provider.TempPath();
                        if (!_closed)
                        {
                            run._provider.RegisterTempActor(this, _path);
                            _registered = true;
                        }
                    }
                    return _path;
                }
            }
        }

        protected override void TellInternal(object message, IActorRef sender) => run.Answered(index, message);

        public void Close()
        {
            lock (_lock)
            {
                _closed = true;
                if (_registered)
                    run._provider.UnregisterTempActor(_path!);
                _registered = false;
            }
        }
    }
}
