// rate-limiter-flexible exports its store base class in its types but not from its index: it is
// loaded from its own file (the package has no exports map), typed as the index declares it.
declare module 'rate-limiter-flexible/lib/RateLimiterStoreAbstract.js' {
  import { RateLimiterStoreAbstract } from 'rate-limiter-flexible';
  export default RateLimiterStoreAbstract;
}
