"""A WeChat user and WeChat's API, simulated over real HTTP, for people without a WeChat account
(`chengguan chat`) and for the end-to-end tests. Messages are real XML, signed and, in safe mode,
encrypted with wechatpy's crypto, exactly as WeChat's servers send them."""
