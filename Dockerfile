# Production-like image of the marketplace (and, with another command, the Stripe sandbox).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The sandbox's SANDBOX_STATE_FILE directory (docker-compose.yml mounts a named volume here). Docker
# seeds a new named volume with the image directory's ownership only when the directory exists in
# the image; without it the volume is root's and the sandbox (running as node) cannot write.
RUN mkdir -p /var/lib/stripe-sandbox && chown node:node /var/lib/stripe-sandbox
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/apps/marketplace/src/main.js"]
