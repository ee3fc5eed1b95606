using System.ComponentModel;

namespace Trove.Actors.Compute;

/// <summary>A server could not be made this time, for a reason that may pass (a guest process that did not start):
/// creating it again may work.</summary>
public sealed class TransientComputeException(string message) : Exception(message);

/// <summary>Which errors of a compute driver are worth trying again: I/O, a process that could not be started, a timeout,
/// the driver's own transient ones, and HTTP errors of a cloud's API. Anything else (bad settings, a spec the driver
/// refuses) fails at once.</summary>
public static class ComputeFailures
{
    public static bool IsTransient(Exception e) => e.GetBaseException() is
        TransientComputeException or IOException or Win32Exception or TimeoutException or HttpRequestException;
}
