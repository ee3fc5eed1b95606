namespace Trove.Actors.Serialization;

/// <summary>Every message and event that may be stored or cross the network; bound to <see cref="TroveSerializer"/>.</summary>
public interface ITroveMessage;
