import QuarryNN

/// The negative sampler's generator, carried in `TrainingProgress` so a resumed run draws what an
/// uninterrupted one would: QuarryNN's xoshiro256**, whose encoded state (s0…s3) it has always had.
public typealias SamplerRandom = Xoshiro256
